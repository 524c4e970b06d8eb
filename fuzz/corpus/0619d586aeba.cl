{ t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }

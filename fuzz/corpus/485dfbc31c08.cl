2 - t if 1 <= t <= 2

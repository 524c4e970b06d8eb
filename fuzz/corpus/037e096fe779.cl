t if 0 <= t < 1

0 <= t < 1 and t != 0.5 or t == 2

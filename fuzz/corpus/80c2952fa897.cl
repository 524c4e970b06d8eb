conv = 3

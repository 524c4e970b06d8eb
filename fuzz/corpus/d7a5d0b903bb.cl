x = y = 3

shape = 3

to = 3

x = 1 if t > 0

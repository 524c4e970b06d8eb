x = at + 1

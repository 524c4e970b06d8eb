keep = [4, 5, 6]

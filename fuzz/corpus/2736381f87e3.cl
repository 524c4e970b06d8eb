y = 2t

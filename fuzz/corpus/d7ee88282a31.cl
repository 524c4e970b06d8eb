(exact off)

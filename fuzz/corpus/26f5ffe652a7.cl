[1, 2] from -k

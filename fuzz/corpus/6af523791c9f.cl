e.g. conv([1, 2, 3], [1, 1]) or conv(f, g)

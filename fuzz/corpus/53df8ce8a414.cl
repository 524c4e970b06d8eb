conv([1, 2], [1, 2, 3], mode=valid)

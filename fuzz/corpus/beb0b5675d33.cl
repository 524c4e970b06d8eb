e.g. conv_matrix(K, [3, 4], mode=valid)

e.g. conv_matrix(b, 4)

e.g. conv_matrix([1, 0.5, 0.25], 4)

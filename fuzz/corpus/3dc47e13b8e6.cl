conv_matrix([1, 2, 3], 5, mode=same)

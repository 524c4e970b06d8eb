conv_matrix(b, n, mode=…) / conv_matrix(K, [h, w], mode=…)

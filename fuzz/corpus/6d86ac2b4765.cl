conv_transpose([1, 2], [1, 1, 1], stride=2)

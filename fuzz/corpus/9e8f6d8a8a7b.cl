e.g. `steps conv(a, b)`, `steps conv(f, g) at 0.3`, `steps conv_matrix(b, 4) @ a`

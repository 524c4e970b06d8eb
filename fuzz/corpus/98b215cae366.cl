e.g. `steps conv(A, K) at (0, 1)`

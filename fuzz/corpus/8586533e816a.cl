the (doubly block) Toeplitz matrix T with T @ a == conv(a, b)

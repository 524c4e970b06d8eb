T @ a == conv(a, b)

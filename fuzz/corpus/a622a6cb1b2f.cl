a = 1
b = τ + x

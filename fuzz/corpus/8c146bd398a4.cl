export conv(a, b)

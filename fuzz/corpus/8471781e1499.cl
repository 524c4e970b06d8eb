conv(a, mode=valid, b)

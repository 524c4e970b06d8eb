conv(a, b)[0] = 3

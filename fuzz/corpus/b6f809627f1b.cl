conv(a, b) = 3

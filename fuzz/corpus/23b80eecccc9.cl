conv(a, b) at 3

conv(a b)

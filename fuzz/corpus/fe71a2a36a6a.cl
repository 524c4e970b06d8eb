exact conv(f, g)

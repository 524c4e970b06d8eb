converge conv(f, g)

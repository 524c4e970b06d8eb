converge conv(f, g) at 1 levels=8

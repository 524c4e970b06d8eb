e.g. converge conv(f, g) at 1

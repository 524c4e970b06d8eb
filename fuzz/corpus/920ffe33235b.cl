conv(f, g) at t = 0.3

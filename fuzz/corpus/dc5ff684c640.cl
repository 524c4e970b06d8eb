e.g. riemann(conv(f, g), 0.25)

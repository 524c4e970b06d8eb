e.g. steps riemann(conv(f, g), 0.25) at 4

exact(conv(f, g))

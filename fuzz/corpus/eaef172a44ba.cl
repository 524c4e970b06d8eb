e.g. sample(f, 0.25)

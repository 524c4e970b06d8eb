conv([a, b], [c, d])

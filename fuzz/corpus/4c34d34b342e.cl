exact(h)

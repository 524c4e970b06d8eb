f(t) = { 1 if 0 <= t < 1 }
sample(f, 1e-300, from=1, to=1)

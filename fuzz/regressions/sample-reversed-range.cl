f(t) = { 1 if 0 <= t < 1 }
sample(f, 0.25, from=3, to=1)

f(t, t) = t

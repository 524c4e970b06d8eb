h(t, s) = t * s

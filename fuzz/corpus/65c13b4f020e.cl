f(t) = { 1 if t = 0 }

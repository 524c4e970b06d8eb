f(t) = { max(t,
 0) if t < 1 }

f(t) = { t if 0 <= t and
 t < 1
 2 -
 t
 if t >= 1, }

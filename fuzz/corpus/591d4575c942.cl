f(t,
  s) = t
c = conv(a,
 b)

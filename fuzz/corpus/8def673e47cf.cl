conv(a, [1,
 2]

check(x)

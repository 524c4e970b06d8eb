(vars)

corr(a, b, mode=…)

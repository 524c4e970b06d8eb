y[n]

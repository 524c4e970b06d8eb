exercise "q" conv(a, b)

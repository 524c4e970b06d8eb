x = 1
y = expp(2)

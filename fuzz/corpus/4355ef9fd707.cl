x = 1r
y = 2r

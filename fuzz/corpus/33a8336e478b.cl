load("x.csv")

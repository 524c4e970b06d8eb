load("C:\data")

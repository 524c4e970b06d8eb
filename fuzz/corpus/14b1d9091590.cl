x = 2 # xff
x + 1

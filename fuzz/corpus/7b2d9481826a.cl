x = 
y = 2

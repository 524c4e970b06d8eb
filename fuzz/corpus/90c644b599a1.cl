(= shape 3)

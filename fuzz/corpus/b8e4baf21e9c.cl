(- a b)

(clear a b)

(+ [1 2 from n0] 1)

(+ a b)

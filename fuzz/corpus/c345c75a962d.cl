f(if) = 1

`=>` is not an operator

`=<` is not an operator

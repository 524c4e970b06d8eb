x = shape + steps

support: empty (the function is zero)

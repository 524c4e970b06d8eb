`=` cannot be used in a condition

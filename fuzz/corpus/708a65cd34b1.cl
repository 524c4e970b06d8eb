to compare two values, write `==`

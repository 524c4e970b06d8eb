`=` defines; to compare two values, write `==`

plot f, g over -1..3

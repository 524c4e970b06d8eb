`==` compares two values; it cannot define

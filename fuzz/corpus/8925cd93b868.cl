e = 2.71828… (inside a [ ] literal a bare e is the letter e; write exp(1) there)

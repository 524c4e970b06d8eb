to join sequences, add them (`a + shift(b, 3)`)

(exact on)

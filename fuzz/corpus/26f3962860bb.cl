steps=2

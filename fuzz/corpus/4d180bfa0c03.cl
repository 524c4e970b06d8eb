(plot f to "fg.png")

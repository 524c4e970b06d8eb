(show f g)

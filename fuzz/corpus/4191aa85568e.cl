(show f)

y = 2e

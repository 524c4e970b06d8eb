(precision 6)

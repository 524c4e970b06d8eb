(= conv 3)

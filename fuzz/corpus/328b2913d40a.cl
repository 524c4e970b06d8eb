vars

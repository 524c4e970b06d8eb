(+ on off)

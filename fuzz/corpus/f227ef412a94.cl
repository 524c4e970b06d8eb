(exercise "Compute c[3]" = (idx (call conv a b) 3))

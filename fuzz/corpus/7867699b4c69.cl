(exercise "c[3]?" = (idx (call conv a b) 3) tol=0.001)

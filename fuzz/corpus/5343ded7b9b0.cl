(= x [3 (neg 1) 2 from (neg 1)])

f(t) = { 1 if t < 0, 2 otherwise; }

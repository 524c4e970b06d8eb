f(t) = { 0 otherwise; 1 if t > 0 }

f(t) = { t if t > 0; 0 }

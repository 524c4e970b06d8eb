f(t) = { t t > 0 }

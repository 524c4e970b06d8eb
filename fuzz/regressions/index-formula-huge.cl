y[n] = { 1 if n >= 1e30 and n <= 1e30 + 2 }

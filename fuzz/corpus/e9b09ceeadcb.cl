show[n] = n

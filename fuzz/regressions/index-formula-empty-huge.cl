z[n] = { 1 if n >= 9.3e18 and n <= 9.2e18 }
z

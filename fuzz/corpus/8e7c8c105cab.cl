k(linspace(-30, 30, 1000000))

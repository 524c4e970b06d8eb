x = [0.5, 1] from -2^61
flip(x)
shift([1, 2] from 2^61 - 2, 1)

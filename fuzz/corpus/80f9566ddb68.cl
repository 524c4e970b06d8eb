conv([1, 2, 3] from -1, [1, 1] from 2)

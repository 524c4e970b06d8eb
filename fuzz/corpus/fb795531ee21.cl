h = 0.25
a = [1, 0.5, 1, 1]
x = [3, -1, 2] from -1
y[n] = { 0.5^n if 0 <= n <= 7 }
I = [[a, b, c, d], [e, f, g, h],
     [i, j, k, l]]
K = [w, x; y, z]

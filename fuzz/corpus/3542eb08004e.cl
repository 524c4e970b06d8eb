h = 0.25                          # scalar
a = [1, 0.5, 1, 1]                # sequence; first sample at n = 0
x = [3, -1, 2] from -1            # first sample at n = -1
y[n] = { 0.5^n if 0 <= n <= 7 }   # sequence by formula; zero elsewhere
I = [[a, b, c, d], [e, f, g, h],  # matrix; rows may also be separated by ';'
     [i, j, k, l]]                # a literal may span lines while a bracket is open
K = [w, x; y, z]

I = [[a, b, c, d], [e, f, g, h],  # matrix; rows may also be separated by ';'
     [i, j, k, l]]

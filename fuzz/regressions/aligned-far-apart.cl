s = 0
check [-1, -1, -1, -2, 1/3] * [0.1, 3, 4] from 1e9 == conv(k, y)
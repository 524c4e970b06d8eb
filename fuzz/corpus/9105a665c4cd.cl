a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; x = [3, -1, 2] from -1; c = conv(a, b); v = [1, 2]
f(t) = { 1 if 0 <= t < 1 }
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }
w(t) = { 2*exp(-2*t) if t >= 0 }; h = conv(f, g)
I = [a, b, c, d; e, f, g, h; i, j, k, l]; K = [w, x; y, z]; A = [1, 2, 3; 4, 5, 6; 7, 8, 9]
steps conv(I, K, mode=valid) at (0, 1)

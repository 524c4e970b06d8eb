f(t) = { 1 if 0 <= t < 1 }
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }

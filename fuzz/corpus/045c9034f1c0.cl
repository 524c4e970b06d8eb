f(t) = { 1 if 0 <= t < 1 }
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }
p(t) = { t^2 if 0 <= t < 1; 1 if 1 <= t < 3; 0 otherwise }
e1(t) = exp(-t) * u(t)
w(a) = { 2*exp(-2*a) if a >= 0 }
s = 0.5
k(t) = exp(-t^2 / (2*s^2)) / (s*sqrt(2*pi))

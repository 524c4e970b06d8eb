f(t) = { 1 if 0 <= t < 1 }                       # zero elsewhere
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }  # triangle, peak 1 at t = 1
p(t) = { t^2 if 0 <= t < 1; 1 if 1 <= t < 3; 0 otherwise }
e1(t) = exp(-t) * u(t)
w(a) = { 2*exp(-2*a) if a >= 0 }                 # any variable name
s = 0.5
k(t) = exp(-t^2 / (2*s^2)) / (s*sqrt(2*pi))      # may use defined scalars and functions

g(t) = exp(-t^2/100)*sin(40*t)

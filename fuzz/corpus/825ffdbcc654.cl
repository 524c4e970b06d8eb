w(t) = 2*exp(-2*t)*u(t)

plot(t) = t^2

write `f(t) = { … }` or `y[n] = { … }`

write `f(t) * g(t)`

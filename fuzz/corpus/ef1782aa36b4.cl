write `f(t) = …`; use defined scalars for parameters (`s = 0.5` then `k(t) = exp(-t/s)`)

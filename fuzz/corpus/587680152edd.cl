f(τ)·g(t − τ) and (f ∗ g)(t)

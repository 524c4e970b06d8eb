(f ∗ g)(t) so far

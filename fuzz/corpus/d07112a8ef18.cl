c = a ∗ b

gauss(t, σ): σ must be a constant

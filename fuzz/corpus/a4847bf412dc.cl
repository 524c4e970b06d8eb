x[n − k] for sequences, g(t − k) for functions

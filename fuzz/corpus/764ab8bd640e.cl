x[−n] for sequences, g(−t) for functions, both axes for matrices

f(t) = { t; 0 otherwise }

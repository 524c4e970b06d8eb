p = { 0 otherwise }

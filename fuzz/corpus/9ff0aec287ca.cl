f(t) = { 1 if }

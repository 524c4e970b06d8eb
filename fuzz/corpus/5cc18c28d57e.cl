f (t) = t

f(t) = { t if t > 0  # }

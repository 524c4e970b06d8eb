rect(t) = { 1 if -0.5 <= t < 0.5 }

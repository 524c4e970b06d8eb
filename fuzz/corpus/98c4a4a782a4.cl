to define, write a single `=`: `f(t) = { … }`

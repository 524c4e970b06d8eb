to call a function, write its name right before `(`: `f(t)`

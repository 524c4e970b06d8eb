`at` and a point after the expression, e.g. `converge conv(f, g) at 1`

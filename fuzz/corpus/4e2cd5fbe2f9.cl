e.g. `check conv(a, b) == conv(b, a)` or `check is_pdf(w)`

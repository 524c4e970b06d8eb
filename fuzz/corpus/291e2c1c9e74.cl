write at least one value, e.g. `[0]`

e.g. `steps conv(a, b)`

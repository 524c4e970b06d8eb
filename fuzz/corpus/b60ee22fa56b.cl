e.g. `steps conv(a, b) at 3` or `steps conv(a, b) at 10..20`

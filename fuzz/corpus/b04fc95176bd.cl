e.g. `plot f over -1..3`, `steps conv(a, b) at 2..5`

`at` follows `steps …` or `converge …`: `steps conv(a, b) at 3`

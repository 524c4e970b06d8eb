write `<=`

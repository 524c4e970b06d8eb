write `=` to define

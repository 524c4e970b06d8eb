(converge (call conv f g) at 1)

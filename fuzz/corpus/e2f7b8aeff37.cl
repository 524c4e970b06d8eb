write `-` (the plain ASCII minus)

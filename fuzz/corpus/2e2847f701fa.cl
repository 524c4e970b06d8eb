check a = b

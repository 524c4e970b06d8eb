(help conv)

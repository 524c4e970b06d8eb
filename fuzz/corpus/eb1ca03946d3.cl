(help)

(help conventions)

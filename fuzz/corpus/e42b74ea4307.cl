(help steps)

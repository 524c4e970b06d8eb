interrupted (Ctrl-C)

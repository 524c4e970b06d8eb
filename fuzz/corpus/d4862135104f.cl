name=value

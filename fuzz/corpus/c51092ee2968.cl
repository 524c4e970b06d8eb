(pause)

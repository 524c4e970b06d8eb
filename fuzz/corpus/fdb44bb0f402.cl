mode=valid

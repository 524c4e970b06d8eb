format FMT

steps == 3

animate conv(f, g) over -1..4

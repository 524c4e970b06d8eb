animate conv(f, g) over -1..4 to "x.gif" frames=40 delay=60

(animate (call conv f g) over (.. (neg 1) 4) to "x.gif" frames=40 delay=60)

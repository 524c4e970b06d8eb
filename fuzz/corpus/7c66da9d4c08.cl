animate conv(f, g) over -1..4 to "slide.gif"

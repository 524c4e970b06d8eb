(animate (call conv f g) over (.. (neg 1) 4) to "slide.gif")

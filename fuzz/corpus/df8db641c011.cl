(plot f, g over (.. (neg 1) 3))

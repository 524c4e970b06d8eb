(plot f over (.. 0 1) to "f.png" width=800)

plot f to "f.png" over 0..1 width=800

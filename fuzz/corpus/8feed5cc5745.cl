(plot (steps (call conv f g) at 0.3) to "s.png")

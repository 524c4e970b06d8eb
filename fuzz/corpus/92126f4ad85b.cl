(plot (steps (call conv a b) at 3), (call conv a b) over (.. 0 5))

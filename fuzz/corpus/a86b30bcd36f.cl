(plot (call conv a b) to "c.svg")

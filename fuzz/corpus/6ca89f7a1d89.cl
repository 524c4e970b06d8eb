breakpoints: none (smooth everywhere)

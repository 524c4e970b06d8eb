write `VALUE if CONDITION` or `VALUE otherwise` (inside `{ }` a new line starts a new piece; to continue a piece, put it in parentheses)

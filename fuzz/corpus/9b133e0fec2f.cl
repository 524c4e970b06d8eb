(export (steps (call conv a b)) to "c.md")

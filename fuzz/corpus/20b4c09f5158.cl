(export (steps (call conv a b) zeros=on) to "c.md")

(export (call conv a b) to "c.csv")

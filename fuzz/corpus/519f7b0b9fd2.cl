(format markdown)

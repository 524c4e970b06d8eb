plot steps conv(f, g) at 0.3 to "s.png"  # four panels

plot steps conv(a, b) at 3, conv(a, b) over 0..5

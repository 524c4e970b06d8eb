plot conv(a, b) to "c.svg"

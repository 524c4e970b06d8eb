conv(keep, [1, 1])

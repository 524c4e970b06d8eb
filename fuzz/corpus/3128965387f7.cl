conv(a, b, mode=full|same|valid)

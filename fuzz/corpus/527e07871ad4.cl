out[0, 1] = b·z + c·y + f·x + g·w

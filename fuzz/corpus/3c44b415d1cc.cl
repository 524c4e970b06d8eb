my_signal = [1, 2]

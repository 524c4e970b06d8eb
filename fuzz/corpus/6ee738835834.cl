area = 0.045

(shape (call conv A K stride=2 padding=1 dilation=2))

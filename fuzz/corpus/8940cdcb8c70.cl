(lesson "convolution")

convolution: sequences → sequence, functions → function, matrices → matrix (2D options: stride, padding, dilation, boundary)

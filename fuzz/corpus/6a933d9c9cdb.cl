cross-correlation (what CNN libraries call convolution): the kernel b slides over a without flipping

check corr([1, 2], [3, 4]) == corr([3, 4], [1, 2])

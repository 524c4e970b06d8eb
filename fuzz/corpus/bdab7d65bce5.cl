1/3; [1, 2] from -1; check 1 == 1

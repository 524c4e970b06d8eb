[1 2 from (neg k)]

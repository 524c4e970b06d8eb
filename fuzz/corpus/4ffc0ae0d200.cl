(* (neg a) b)

(* a (neg b))

(* a b)

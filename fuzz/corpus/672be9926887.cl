(= c (call conv a b))

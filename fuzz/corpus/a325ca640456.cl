g(k=

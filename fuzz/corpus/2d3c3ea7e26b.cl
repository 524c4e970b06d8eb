check EXPR

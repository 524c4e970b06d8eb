write `not` to negate a condition, `!=` for “not equal”

`and`, `or` and `not` combine conditions: `0 <= t and t < 1`

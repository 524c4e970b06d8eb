use `steps conv(a, b) at n..n` for the term sum

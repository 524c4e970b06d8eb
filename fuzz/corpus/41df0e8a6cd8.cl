use `steps conv(a, b) at n..m` for a part

"a(b"

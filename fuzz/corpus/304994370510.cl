idft(X)

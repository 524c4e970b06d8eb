(defseq y[n] {(^ 0.5 n) if (cmp 0 <= n <= 7)})

(defseq show[n] n)

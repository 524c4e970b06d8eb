(= steps 2)

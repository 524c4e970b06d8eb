(= x (+ shape steps))

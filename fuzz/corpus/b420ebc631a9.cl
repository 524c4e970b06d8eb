f(t) = {
    t + 1 if -1 <= t < 0   # rising
    -t + 1 if 0 <= t < 1

    0 otherwise
}

e.g. `shape conv(A, K, stride=2)`

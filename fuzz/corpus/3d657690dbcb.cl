to turn a function into a sequence, sample it: `sample(f, 0.25)`

`from` gives the index of a sequence's first sample: `[3, -1, 2] from -1`

(= x "# not a comment")

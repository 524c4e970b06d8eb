x = "# not a comment"

(nothing defined yet)

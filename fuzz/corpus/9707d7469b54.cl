(= K (mat [w x] [y z]))

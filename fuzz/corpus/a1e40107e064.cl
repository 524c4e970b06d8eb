single `=`

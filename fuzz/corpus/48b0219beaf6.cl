unexpected `=`

show NAME

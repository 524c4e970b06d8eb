precision N

(help if)

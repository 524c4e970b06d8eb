`=` defines

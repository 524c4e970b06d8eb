zeros=on

exact on/off

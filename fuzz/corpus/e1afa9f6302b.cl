(clear )

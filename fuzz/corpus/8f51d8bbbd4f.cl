write `>=`

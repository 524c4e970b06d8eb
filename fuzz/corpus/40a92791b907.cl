write `sqrt(…)`

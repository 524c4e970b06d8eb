write `3*(…)`

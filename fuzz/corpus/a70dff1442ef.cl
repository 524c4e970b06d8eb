write `!=`

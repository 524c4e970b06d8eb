T @ v

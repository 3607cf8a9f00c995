"""Documents → passages and rules: reading, cleaning, structure, roles and rules."""

"""The shared state store: one SQL database (SQLite in the data folder, or PostgreSQL for several
replicas) holding everything replicas must agree on — crisis state and its history, de-duplication
claims, sync state and history, the question log and feedback."""

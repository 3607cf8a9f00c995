"""Alembic migrations of the shared state store (`veileder db upgrade`; also run by `veileder serve`)."""

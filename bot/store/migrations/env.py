"""Alembic environment: migrations run on the connection `Database.upgrade` hands in."""
from __future__ import annotations

from alembic import context

from bot.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `Database.upgrade` runs migrations
    raise RuntimeError("run migrations with `veileder db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()

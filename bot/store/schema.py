"""The tables of the shared state store (one `MetaData`; Alembic migrations in `migrations/` create them).

Times are timezone-aware UTC. JSON documents (a sync source's delta link and item tree) are stored
as text so the same schema works on SQLite and PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

# -- the question log (bot/admin/question_log.py) -------------------------------------------------

questions = Table(
    "questions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("asked_at", DateTime(timezone=True), nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("user_hash", String(64)),
    Column("municipality", String(64), index=True),
    Column("language", String(4)),
    Column("role", String(32)),
    Column("question", Text, nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("kind", String(16)),
    Column("rule_id", String(200)),
    Column("rule_text", Text),
    Column("section", Text),
    Column("confidence", Float),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", String(36), ForeignKey("questions.id", ondelete="CASCADE"), index=True),
    Column("given_at", DateTime(timezone=True), nullable=False),
    Column("user_hash", String(64)),
    Column("helpful", Boolean, nullable=False),
)

# -- crisis mode (bot/admin/crisis.py) ------------------------------------------------------------

crisis_state = Table(
    "crisis_state",
    metadata,
    Column("municipality", String(64), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("message", Text),
    Column("spokesperson", Text),
    Column("since", DateTime(timezone=True)),
    Column("by", String(200)),
    Column("off_since", DateTime(timezone=True)),
    Column("off_by", String(200)),
)

crisis_history = Table(
    "crisis_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("municipality", String(64), nullable=False, index=True),
    Column("switched_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("by", String(200)),
    Column("message", Text),
    Column("spokesperson", Text),
)

# -- de-duplication claims (bot/store/claims.py) ----------------------------------------------------

claims = Table(
    "claims",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("holder", String(100)),
)

# -- SharePoint sync (bot/admin/sync/state.py) --------------------------------------------------------

sync_sources = Table(
    "sync_sources",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("municipality", String(64)),
    Column("state", Text, nullable=False),  # JSON: delta_link, drive_id, mirror, items, ok, summary, error, last_run
    Column("last_run", DateTime(timezone=True)),
    Column("ok", Boolean),
    Column("error", Text),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True)),
    Column("holder", String(100)),
    Column("municipality", String(64)),
    Column("ok", Boolean),
    Column("generation", String(200)),
    Column("summary", Text),
    Column("error", Text),
)

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

# -- the communications advisers' cases and notes (bot/admin/cases.py) -----------------------------

adviser_cases = Table(
    "adviser_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("municipality", String(64), index=True),
    Column("platform", String(16), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("language", String(4), nullable=False),
    Column("question", Text, nullable=False),
    Column("asker_note", Text),
    Column("asker_hash", String(64)),
    Column("asker_name", Text),
    Column("asker_role", String(32)),
    Column("reply_to", Text, nullable=False),  # JSON: where the asker asked (Slack channel/thread, Teams conversation reference)
    Column("question_id", String(36)),  # the question log's row
    Column("answer_kind", String(16)),
    Column("verdict", Text),
    Column("rule_text", Text),
    Column("rule_source", Text),
    Column("topic", Text),  # the section the bot's rule or best passage came from
    Column("case_message", Text),  # JSON: where the case message stands in the advisers' channel
    Column("claimed_by", String(128)),
    Column("claimed_by_name", Text),
    Column("claimed_at", DateTime(timezone=True)),
    Column("replied_by", String(128)),
    Column("replied_by_name", Text),
    Column("reply", Text),
    Column("replied_at", DateTime(timezone=True)),
    Column("helpful", Boolean),
    Column("closed_at", DateTime(timezone=True)),
    Column("reminded_at", DateTime(timezone=True)),
    Column("note_id", String(36)),
)

adviser_notes = Table(
    "adviser_notes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(64), nullable=False, index=True),
    Column("case_id", String(36)),
    Column("question", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("author_id", String(128)),
    Column("author_name", Text, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("withdrawn_by", Text),
)

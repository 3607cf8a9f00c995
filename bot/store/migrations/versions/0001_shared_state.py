"""The shared state store: question log and feedback (adopted if they exist), crisis state and
history, de-duplication claims, sync state and history.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    # Before migrations the question log created its own two tables: adopt them as they are.
    if "questions" not in existing:
        op.create_table(
            "questions",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False, index=True),
            sa.Column("platform", sa.String(16), nullable=False),
            sa.Column("user_hash", sa.String(64)),
            sa.Column("municipality", sa.String(64), index=True),
            sa.Column("language", sa.String(4)),
            sa.Column("role", sa.String(32)),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answered", sa.Boolean, nullable=False),
            sa.Column("kind", sa.String(16)),
            sa.Column("rule_id", sa.String(200)),
            sa.Column("rule_text", sa.Text),
            sa.Column("section", sa.Text),
            sa.Column("confidence", sa.Float),
        )
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("question_id", sa.String(36), sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True),
            sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("user_hash", sa.String(64)),
            sa.Column("helpful", sa.Boolean, nullable=False),
        )
    op.create_table(
        "crisis_state",
        sa.Column("municipality", sa.String(64), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("spokesperson", sa.Text),
        sa.Column("since", sa.DateTime(timezone=True)),
        sa.Column("by", sa.String(200)),
        sa.Column("off_since", sa.DateTime(timezone=True)),
        sa.Column("off_by", sa.String(200)),
    )
    op.create_table(
        "crisis_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("municipality", sa.String(64), nullable=False, index=True),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("by", sa.String(200)),
        sa.Column("message", sa.Text),
        sa.Column("spokesperson", sa.Text),
    )
    op.create_table(
        "claims",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("holder", sa.String(100)),
    )
    op.create_table(
        "sync_sources",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("municipality", sa.String(64)),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("last_run", sa.DateTime(timezone=True)),
        sa.Column("ok", sa.Boolean),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("holder", sa.String(100)),
        sa.Column("municipality", sa.String(64)),
        sa.Column("ok", sa.Boolean),
        sa.Column("generation", sa.String(200)),
        sa.Column("summary", sa.Text),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    for table in ("sync_runs", "sync_sources", "claims", "crisis_history", "crisis_state"):
        op.drop_table(table)

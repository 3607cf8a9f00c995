"""The communications advisers' cases (open, claimed, answered, closed) and adviser notes.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adviser_cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("municipality", sa.String(64), index=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("asker_note", sa.Text),
        sa.Column("asker_hash", sa.String(64)),
        sa.Column("asker_name", sa.Text),
        sa.Column("asker_role", sa.String(32)),
        sa.Column("reply_to", sa.Text, nullable=False),
        sa.Column("question_id", sa.String(36)),
        sa.Column("answer_kind", sa.String(16)),
        sa.Column("verdict", sa.Text),
        sa.Column("rule_text", sa.Text),
        sa.Column("rule_source", sa.Text),
        sa.Column("topic", sa.Text),
        sa.Column("case_message", sa.Text),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("claimed_by_name", sa.Text),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("replied_by", sa.String(128)),
        sa.Column("replied_by_name", sa.Text),
        sa.Column("reply", sa.Text),
        sa.Column("replied_at", sa.DateTime(timezone=True)),
        sa.Column("helpful", sa.Boolean),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("note_id", sa.String(36)),
    )
    op.create_table(
        "adviser_notes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality", sa.String(64), nullable=False, index=True),
        sa.Column("case_id", sa.String(36)),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(128)),
        sa.Column("author_name", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_by", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("adviser_notes")
    op.drop_table("adviser_cases")

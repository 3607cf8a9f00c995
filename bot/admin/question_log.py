"""What staff ask: every question, the answer given, and feedback — for the communications department.

SQLite in the data folder by default; any SQLAlchemy URL (PostgreSQL) when several bot replicas
run. User ids are stored only as salted hashes.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text, create_engine, delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.answering.answer import Answer

metadata = MetaData()

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

# The communications advisers' cases and notes: written and read by `bot.admin.cases`.
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


class QuestionLog:
    """Stores questions, answers and feedback."""

    def __init__(self, url: str, salt: str) -> None:
        """A log at the SQLAlchemy `url`, hashing user ids with `salt`. Connects lazily and creates
        nothing: `open` (or `create_tables`) does that."""
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        self.salt = salt

    def create_tables(self) -> "QuestionLog":
        """Create the log's tables where they are missing (safe to repeat); returns the log.
        The advisers' cases and notes (`bot.admin.cases`) live in the same database and are created too."""
        metadata.create_all(self.engine)
        return self

    @classmethod
    def open(cls, settings) -> "QuestionLog":
        """The configured log, ready to record: DATABASE_URL, or SQLite in DATA_DIR.

        Creates DATA_DIR, the salt file (DATA_DIR/user-hash-salt, mode 600, unless USER_HASH_SALT
        is set) and the tables when missing; raises SQLAlchemyError when the database can't be reached.
        """
        data_dir: Path = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.database_url or f"sqlite:///{data_dir / 'veileder.sqlite3'}"
        salt = settings.user_hash_salt
        if not salt:
            salt_file = data_dir / "user-hash-salt"
            if not salt_file.exists():
                salt_file.write_text(secrets.token_hex(16))
                salt_file.chmod(0o600)
            salt = salt_file.read_text().strip()
        return cls(url, salt).create_tables()

    def user_hash(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return hashlib.sha256(f"{self.salt}:{user_id}".encode()).hexdigest()

    def record_question(self, platform: str, user_id: str | None, answer: Answer) -> str:
        """Store one answered (or refused) question; returns its id for feedback buttons."""
        question_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(
                insert(questions).values(
                    id=question_id,
                    asked_at=datetime.now(timezone.utc),
                    platform=platform,
                    user_hash=self.user_hash(user_id),
                    municipality=answer.municipality,
                    language=answer.language,
                    role=answer.role,
                    question=answer.question,
                    answered=answer.answered,
                    kind=answer.kind,
                    rule_id=answer.rule.rule_id if answer.rule else None,
                    rule_text=answer.rule.text if answer.rule else None,
                    section=answer.rule.citation.section if answer.rule else None,
                    confidence=answer.confidence,
                )
            )
        return question_id

    def record_feedback(self, question_id: str, helpful: bool, user_id: str | None) -> bool:
        """Store a helpful / not helpful click; a second click by the same person replaces the first. False if unknown id."""
        user = self.user_hash(user_id)
        with self.engine.begin() as conn:
            if conn.execute(select(questions.c.id).where(questions.c.id == question_id)).first() is None:
                return False
            existing = conn.execute(
                select(feedback.c.id).where(feedback.c.question_id == question_id, feedback.c.user_hash == user)
            ).first()
            now = datetime.now(timezone.utc)
            if existing:
                conn.execute(update(feedback).where(feedback.c.id == existing.id).values(helpful=helpful, given_at=now))
            else:
                conn.execute(insert(feedback).values(question_id=question_id, helpful=helpful, user_hash=user, given_at=now))
        return True

    def feedback_for(self, question_id: str) -> list[bool]:
        with self.engine.connect() as conn:
            return [row.helpful for row in conn.execute(select(feedback.c.helpful).where(feedback.c.question_id == question_id))]

    def delete_older_than(self, days: int) -> int:
        """Retention: remove questions (and their feedback) older than `days`."""
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        with self.engine.begin() as conn:
            old = select(questions.c.id).where(questions.c.asked_at < cutoff)
            conn.execute(delete(feedback).where(feedback.c.question_id.in_(old)))
            return conn.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount or 0

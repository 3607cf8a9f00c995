"""What staff ask: every question, the answer given, and feedback — for the communications department.

In the shared state store (`bot/store/`): SQLite in the data folder by default, PostgreSQL when
several bot replicas run. User ids are stored only as salted hashes.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.answering.answer import Answer
from bot.store.database import Database
from bot.store.group_commit import GroupCommit
from bot.store.schema import feedback, questions


class QuestionLog:
    """Stores questions, answers and feedback."""

    def __init__(self, database: Database, salt: str) -> None:
        """A log in the shared state store's `database`, hashing user ids with `salt`. Creates
        nothing: `open` (or `at`) migrates the schema first."""
        self.database = database
        self.engine: Engine = database.engine
        self.salt = salt
        self._together: GroupCommit[tuple[str, str, str | None, Answer, datetime], str] = GroupCommit(
            database, self._insert_questions, limit=500
        )

    @classmethod
    def at(cls, url: str, salt: str) -> "QuestionLog":
        """The log in the database at the SQLAlchemy `url`, its schema migrated to the newest."""
        database = Database(url)
        database.upgrade()
        return cls(database, salt)

    @classmethod
    def open(cls, settings, database: Database | None = None) -> "QuestionLog":
        """The configured log, ready to record: in `database`, else the settings' shared state store
        (DATABASE_URL, or SQLite in DATA_DIR), opened and migrated.

        Creates DATA_DIR and the salt file (DATA_DIR/user-hash-salt, mode 600, unless USER_HASH_SALT
        is set) when missing; raises DatabaseError when the database can't be reached or migrated.
        """
        from bot.store.setup import open_store

        data_dir: Path = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        database = database or open_store(settings)
        salt = settings.user_hash_salt
        if not salt:
            salt_file = data_dir / "user-hash-salt"
            if not salt_file.exists():
                salt_file.write_text(secrets.token_hex(16))
                salt_file.chmod(0o600)
            salt = salt_file.read_text().strip()
        return cls(database, salt)

    def user_hash(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return hashlib.sha256(f"{self.salt}:{user_id}".encode()).hexdigest()

    @staticmethod
    def new_question_id() -> str:
        """An id for a question not logged yet (a UUID4 string), so an answer can be posted with its
        feedback buttons before its log line is written (`record_question_async(question_id=…)`)."""
        return str(uuid.uuid4())

    def record_question(self, platform: str, user_id: str | None, answer: Answer, question_id: str | None = None) -> str:
        """Store one answered (or refused) question under `question_id` (a new id when None); returns
        its id for feedback buttons. Blocking."""
        return self._insert_questions([(question_id or self.new_question_id(), platform, user_id, answer, datetime.now(timezone.utc))])[0]

    async def record_question_async(
        self, platform: str, user_id: str | None, answer: Answer, question_id: str | None = None
    ) -> str:
        """`record_question` off the event loop, in one transaction with the questions other answers
        record meanwhile (`GroupCommit`: a burst's 200 log lines take a few commits, not 200 turns
        at the store's one writer). Raises what the insert raised."""
        return await self._together.submit((question_id or self.new_question_id(), platform, user_id, answer, datetime.now(timezone.utc)))

    def _insert_questions(self, asked: list[tuple[str, str, str | None, Answer, datetime]]) -> list[str]:
        """Insert (id, platform, user id, answer, when it was logged) rows in one transaction; their ids, in order."""
        rows = [
            {
                "id": question_id,
                "asked_at": at,
                "platform": platform,
                "user_hash": self.user_hash(user_id),
                "municipality": answer.municipality,
                "language": answer.language,
                "role": answer.role,
                "question": answer.question,
                "answered": answer.answered,
                "kind": answer.kind,
                "rule_id": answer.rule.rule_id if answer.rule else None,
                "rule_text": answer.rule.text if answer.rule else None,
                "section": answer.rule.citation.section if answer.rule else None,
                "confidence": answer.confidence,
            }
            for question_id, platform, user_id, answer, at in asked
        ]
        with self.database.begin() as conn:
            conn.execute(insert(questions), rows)
        return [row["id"] for row in rows]

    def record_feedback(self, question_id: str, helpful: bool, user_id: str | None) -> bool:
        """Store a helpful / not helpful click; a second click by the same person replaces the first. False if unknown id."""
        user = self.user_hash(user_id)
        with self.database.begin() as conn:
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
        with self.database.begin() as conn:
            old = select(questions.c.id).where(questions.c.asked_at < cutoff)
            conn.execute(delete(feedback).where(feedback.c.question_id.in_(old)))
            return conn.execute(delete(questions).where(questions.c.asked_at < cutoff)).rowcount or 0

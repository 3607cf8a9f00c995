"""Cases for the communications advisers, and the adviser notes that close the loop.

A staff member who chose "ask an adviser" opens a **case**: the question, the bot's answer and rule,
their name and role (shared only because they chose to ask) and where to send the reply. A case
goes open → claimed → answered → closed (closed when the asker marks the reply helpful). An adviser
may turn a reply into an **adviser note**: dated, signed, for one municipality, withdrawable; the
active notes are indexed at the next build (`knowledge.notes.AdviserNote`).

Both live in the question-log database (SQLite or PostgreSQL) and follow its retention setting.
Every change of state is one conditional UPDATE, so two clicks (or two replicas) can't both win.
"""
from __future__ import annotations

import json
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update

from bot.admin.question_log import QuestionLog
from bot.store.schema import adviser_cases as cases, adviser_notes as notes
from bot.answering.answer import Answer
from knowledge.notes import AdviserNote

OPEN, CLAIMED, ANSWERED, CLOSED = "open", "claimed", "answered", "closed"
STATES = (OPEN, CLAIMED, ANSWERED, CLOSED)

@dataclass(frozen=True)
class Case:
    id: str
    created_at: datetime
    municipality: str | None
    platform: str
    state: str
    language: str
    question: str
    asker_note: str | None
    asker_name: str | None
    asker_role: str | None
    reply_to: dict[str, Any]
    question_id: str | None
    answer_kind: str | None
    verdict: str | None
    rule_text: str | None
    rule_source: str | None
    topic: str | None
    case_message: dict[str, Any] | None
    claimed_by: str | None
    claimed_by_name: str | None
    claimed_at: datetime | None
    replied_by: str | None
    replied_by_name: str | None
    reply: str | None
    replied_at: datetime | None
    helpful: bool | None
    closed_at: datetime | None
    reminded_at: datetime | None
    note_id: str | None

    @property
    def reference(self) -> str:
        """A short reference advisers and askers can quote: the id's first eight characters."""
        return self.id[:8]

    def hours_to_reply(self) -> float | None:
        if self.replied_at is None:
            return None
        return (_utc(self.replied_at) - _utc(self.created_at)).total_seconds() / 3600


@dataclass(frozen=True)
class Outcome:
    """What a claim, reply or click did. `changed` is False when it changed nothing (a repeat click,
    someone else's case, not an adviser); `reason` then says why: "unknown", "taken", "answered",
    "not_asker"."""

    changed: bool
    case: Case | None
    reason: str | None = None


@dataclass(frozen=True)
class NoteRecord:
    id: str
    municipality: str
    case_id: str | None
    question: str
    text: str
    author_name: str
    written_at: datetime
    withdrawn_at: datetime | None

    def as_source(self) -> AdviserNote:
        return AdviserNote(self.id, self.municipality, self.question, self.text, self.author_name, _utc(self.written_at).date().isoformat())


@dataclass
class CaseSummary:
    """Cases for the report and /admin: open ones, answered ones, how fast, and what reaches advisers."""

    open: list[Case] = field(default_factory=list)
    answered: list[Case] = field(default_factory=list)  # answered or closed, newest reply first
    median_hours_to_reply: float | None = None
    topics: list[tuple[str, int]] = field(default_factory=list)  # (topic, cases), most first

    def to_dict(self) -> dict[str, Any]:
        def row(c: Case) -> dict[str, Any]:
            return {
                "id": c.id, "reference": c.reference, "state": c.state, "municipality": c.municipality,
                "question": c.question, "topic": c.topic, "created_at": c.created_at.isoformat(),
                "claimed_by": c.claimed_by_name, "replied_by": c.replied_by_name,
                "replied_at": c.replied_at.isoformat() if c.replied_at else None,
                "hours_to_reply": round(c.hours_to_reply(), 2) if c.hours_to_reply() is not None else None,
                "helpful": c.helpful,
            }

        return {
            "open": [row(c) for c in self.open],
            "answered": [row(c) for c in self.answered],
            "median_hours_to_reply": round(self.median_hours_to_reply, 2) if self.median_hours_to_reply is not None else None,
            "topics": [{"topic": t, "cases": n} for t, n in self.topics],
        }


NO_TOPIC = "Ikke dekket av dokumentene"  # the report's own Norwegian heading, as the report's other labels


class CaseStore:
    """Cases and adviser notes in the question log's database."""

    def __init__(self, log: QuestionLog) -> None:
        """On the log's database (the shared state store; its migrations create the tables)."""
        self.log = log
        self.engine = log.engine


    # -- cases --------------------------------------------------------------------------------

    def open_case(
        self,
        answer: Answer,
        *,
        platform: str,
        asker_id: str | None,
        asker_name: str | None,
        reply_to: dict[str, Any],
        question_id: str | None = None,
        asker_note: str | None = None,
        question: str | None = None,
    ) -> Case:
        """A new open case for `answer`'s question (or `question`, as the asker edited it).

        `reply_to` is JSON-serialisable: where the reply goes (e.g. {"channel": "D…", "thread_ts": "…"}
        in Slack, a conversation reference in Teams)."""
        rule = answer.rule or (answer.role_rules[0].rule if answer.role_rules else None)
        topic = rule.citation.section if rule else (answer.passages[0].citation.section if answer.passages and answer.answered else None)
        case_id = str(uuid.uuid4())
        with self.log.database.begin() as conn:
            conn.execute(
                insert(cases).values(
                    id=case_id,
                    created_at=_now(),
                    municipality=answer.municipality,
                    platform=platform,
                    state=OPEN,
                    language=answer.language,
                    question=(question or answer.question).strip() or answer.question,
                    asker_note=(asker_note or "").strip() or None,
                    asker_hash=self.log.user_hash(asker_id),
                    asker_name=asker_name,
                    asker_role=answer.role,
                    reply_to=json.dumps(reply_to, ensure_ascii=False),
                    question_id=question_id,
                    answer_kind=answer.kind,
                    verdict=answer.verdict,
                    rule_text=rule.text if rule else None,
                    rule_source=rule.citation.label() if rule else None,
                    topic=topic or NO_TOPIC,
                )
            )
        case = self.get(case_id)
        assert case is not None
        return case

    def get(self, case_id: str) -> Case | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
        return _case(row) if row else None

    def set_case_message(self, case_id: str, where: dict[str, Any]) -> None:
        """Remember where the case message stands in the advisers' channel (to update it later)."""
        with self.log.database.begin() as conn:
            conn.execute(update(cases).where(cases.c.id == case_id).values(case_message=json.dumps(where, ensure_ascii=False)))

    def unposted(self) -> list[Case]:
        """Cases opened where no chat front end runs (`veileder chat`) and not yet posted to an advisers' channel."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(cases).where(cases.c.case_message.is_(None)).order_by(cases.c.created_at)).mappings().all()
        return [_case(r) for r in rows]

    def take_for_posting(self, case_id: str, where: str) -> bool:
        """Reserve an unposted case for one front end (`where`: "slack" | "teams"), so that of
        several replicas exactly one posts it. False when someone else has."""
        with self.log.database.begin() as conn:
            return bool(
                conn.execute(
                    update(cases).where(cases.c.id == case_id, cases.c.case_message.is_(None)).values(case_message=json.dumps({"posting": where}))
                ).rowcount
            )

    def answered_for(self, asker_id: str | None, platform: str) -> list[Case]:
        """The asker's answered (or closed) cases on `platform`, oldest reply first: for front ends
        that can't be reached proactively (`veileder chat` shows them at its next prompt)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(cases)
                .where(cases.c.asker_hash == self.log.user_hash(asker_id), cases.c.platform == platform, cases.c.state.in_((ANSWERED, CLOSED)))
                .order_by(cases.c.replied_at)
            ).mappings().all()
        return [_case(r) for r in rows]

    def claim(self, case_id: str, adviser_id: str, adviser_name: str) -> Outcome:
        """The adviser takes an open case. Claiming one's own case again changes nothing; someone
        else's or an answered case is refused with the reason."""
        with self.log.database.begin() as conn:
            done = conn.execute(
                update(cases)
                .where(cases.c.id == case_id, cases.c.state == OPEN)
                .values(state=CLAIMED, claimed_by=adviser_id, claimed_by_name=adviser_name, claimed_at=_now())
            ).rowcount
        case = self.get(case_id)
        if case is None:
            return Outcome(False, None, "unknown")
        if done:
            return Outcome(True, case)
        if case.state == CLAIMED and case.claimed_by != adviser_id:
            return Outcome(False, case, "taken")
        return Outcome(False, case, "answered" if case.state in (ANSWERED, CLOSED) else None)

    def reply(self, case_id: str, adviser_id: str, adviser_name: str, text: str) -> Outcome:
        """The adviser's reply: allowed on an open case (it is then theirs) or one they claimed;
        a second reply, or a reply to someone else's case, changes nothing."""
        text = text.strip()
        if not text:
            raise ValueError("a reply can't be empty")
        now = _now()
        with self.log.database.begin() as conn:
            done = conn.execute(
                update(cases)
                .where(
                    cases.c.id == case_id,
                    or_(cases.c.state == OPEN, and_(cases.c.state == CLAIMED, cases.c.claimed_by == adviser_id)),
                )
                .values(state=ANSWERED, replied_by=adviser_id, replied_by_name=adviser_name, reply=text, replied_at=now)
            ).rowcount
            if done:  # an open case replied to directly is also claimed by the one who replied
                conn.execute(
                    update(cases)
                    .where(cases.c.id == case_id, cases.c.claimed_by.is_(None))
                    .values(claimed_by=adviser_id, claimed_by_name=adviser_name, claimed_at=now)
                )
        case = self.get(case_id)
        if case is None:
            return Outcome(False, None, "unknown")
        if done:
            return Outcome(True, case)
        return Outcome(False, case, "answered" if case.state in (ANSWERED, CLOSED) else "taken")

    def mark_helpful(self, case_id: str, asker_id: str | None) -> Outcome:
        """The asker found the reply helpful: the case is closed. Only the asker can; twice changes nothing."""
        case = self.get(case_id)
        if case is None:
            return Outcome(False, None, "unknown")
        with self.engine.connect() as conn:
            asker_hash = conn.execute(select(cases.c.asker_hash).where(cases.c.id == case_id)).scalar()
        if asker_hash is None or asker_hash != self.log.user_hash(asker_id):
            return Outcome(False, case, "not_asker")
        with self.log.database.begin() as conn:
            done = conn.execute(
                update(cases).where(cases.c.id == case_id, cases.c.state == ANSWERED).values(state=CLOSED, helpful=True, closed_at=_now())
            ).rowcount
        return Outcome(bool(done), self.get(case_id), None if done else "answered")

    def overdue(self, hours: float, now: datetime | None = None) -> list[Case]:
        """Cases still without a reply `hours` after they were opened (or after their last
        reminder): those the advisers' channel should be reminded of."""
        cutoff = (now or _now()) - timedelta(hours=hours)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(cases)
                .where(
                    cases.c.state.in_((OPEN, CLAIMED)),
                    cases.c.created_at <= cutoff,
                    or_(cases.c.reminded_at.is_(None), cases.c.reminded_at <= cutoff),
                )
                .order_by(cases.c.created_at)
            ).mappings().all()
        return [_case(r) for r in rows]

    def mark_reminded(self, case_id: str, now: datetime | None = None) -> None:
        with self.log.database.begin() as conn:
            conn.execute(update(cases).where(cases.c.id == case_id).values(reminded_at=now or _now()))

    def summary(self, municipality: str | None = None, since: date | None = None, top: int = 10) -> CaseSummary:
        """Open cases (oldest first), answered cases (newest reply first), the median hours to the
        first reply, and the topics that reach advisers most."""
        conditions = []
        if municipality:
            conditions.append(cases.c.municipality == municipality)
        if since is not None:
            conditions.append(cases.c.created_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
        with self.engine.connect() as conn:
            rows = [_case(r) for r in conn.execute(select(cases).where(*conditions).order_by(cases.c.created_at)).mappings()]
        open_cases = [c for c in rows if c.state in (OPEN, CLAIMED)]
        answered = sorted((c for c in rows if c.state in (ANSWERED, CLOSED)), key=lambda c: _utc(c.replied_at), reverse=True)
        hours = [c.hours_to_reply() for c in answered if c.hours_to_reply() is not None]
        counts: dict[str, int] = {}
        for c in rows:
            counts[c.topic or NO_TOPIC] = counts.get(c.topic or NO_TOPIC, 0) + 1
        topics = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return CaseSummary(open_cases, answered, statistics.median(hours) if hours else None, topics)

    def delete_older_than(self, days: int) -> int:
        """Retention: cases opened more than `days` ago are deleted (they hold the asker's name and
        question). Adviser notes stay: they are the department's own signed answers, without the asker."""
        cutoff = _now() - timedelta(days=days)
        with self.log.database.begin() as conn:
            conn.execute(update(notes).where(notes.c.case_id.in_(select(cases.c.id).where(cases.c.created_at < cutoff))).values(case_id=None))
            return conn.execute(delete(cases).where(cases.c.created_at < cutoff)).rowcount or 0

    # -- adviser notes -------------------------------------------------------------------------

    def add_note(self, case_id: str, adviser_id: str, adviser_name: str) -> Outcome:
        """Store the case's reply as an adviser note for its municipality, signed by the adviser who
        adds it. Adding twice changes nothing; a case without a reply is refused."""
        case = self.get(case_id)
        if case is None:
            return Outcome(False, None, "unknown")
        if case.reply is None or case.municipality is None:
            return Outcome(False, case, "not_answered")
        note_id = str(uuid.uuid4())
        with self.log.database.begin() as conn:
            done = conn.execute(update(cases).where(cases.c.id == case_id, cases.c.note_id.is_(None)).values(note_id=note_id)).rowcount
            if done:
                conn.execute(
                    insert(notes).values(
                        id=note_id, municipality=case.municipality, case_id=case_id, question=case.question, text=case.reply,
                        author_id=adviser_id, author_name=case.replied_by_name or adviser_name, written_at=case.replied_at or _now(),
                    )
                )
        return Outcome(bool(done), self.get(case_id), None if done else "added")

    def withdraw_note(self, note_id: str, by: str) -> bool:
        """Withdraw a note: it leaves the index at the next build. False when unknown or already withdrawn."""
        with self.log.database.begin() as conn:
            return bool(
                conn.execute(
                    update(notes).where(notes.c.id == note_id, notes.c.withdrawn_at.is_(None)).values(withdrawn_at=_now(), withdrawn_by=by)
                ).rowcount
            )

    def notes(self, municipality: str | None = None, include_withdrawn: bool = False) -> list[NoteRecord]:
        conditions = [] if include_withdrawn else [notes.c.withdrawn_at.is_(None)]
        if municipality:
            conditions.append(notes.c.municipality == municipality)
        with self.engine.connect() as conn:
            rows = conn.execute(select(notes).where(*conditions).order_by(notes.c.written_at)).mappings().all()
        return [
            NoteRecord(r["id"], r["municipality"], r["case_id"], r["question"], r["text"], r["author_name"], r["written_at"], r["withdrawn_at"])
            for r in rows
        ]

    def active_notes(self) -> list[AdviserNote]:
        """Every note not withdrawn, as the index builder takes them."""
        return [n.as_source() for n in self.notes()]


def notes_for_build(settings) -> list[AdviserNote] | None:
    """The active adviser notes for an index build, from the configured question log; None (keep
    the previous generation's notes) when the database can't be read — a build never drops notes
    because the database was briefly away."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.database import DatabaseError

    try:
        return CaseStore(QuestionLog.open(settings)).active_notes()
    except (SQLAlchemyError, DatabaseError) as exc:
        logging.getLogger(__name__).warning("adviser notes not read (%s): the index keeps its previous notes", exc)
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite returns naive datetimes


def _case(row) -> Case:
    values = dict(row)
    values.pop("asker_hash", None)
    values["reply_to"] = json.loads(values["reply_to"] or "{}")
    values["case_message"] = json.loads(values["case_message"]) if values["case_message"] else None
    for key in ("created_at", "claimed_at", "replied_at", "closed_at", "reminded_at"):
        if values[key] is not None:
            values[key] = _utc(values[key])
    return Case(**values)

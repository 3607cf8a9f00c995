"""What staff ask, summed up for the communications department: what to write or clarify next.

Read from the question log (`bot.admin.question_log`). Counting and grouping by rule happen in plain, portable
SQL (SQLite and PostgreSQL alike); grouping questions by their wording happens in Python, because
databases disagree on lower-casing "Ø" and on stripping punctuation.

Retention lives here too: the report is the only reader of old rows, and `veileder serve` applies
it at start-up and daily through `retention_cleanup_ctx`.
"""
from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, AsyncIterator, Callable

from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError

from knowledge.errors import VeilederError
from bot.admin.cases import CaseStore, CaseSummary
from bot.admin.question_log import QuestionLog, feedback, questions
from bot.background import while_serving

logger = logging.getLogger(__name__)

TOP = 10  # rows per list: enough to act on, short enough to read
RETENTION_EVERY_SECONDS = 24 * 60 * 60


class ReportError(VeilederError):
    """The question log can't be read (database unreachable, bad URL); the message says why."""


@dataclass(frozen=True)
class Totals:
    questions: int
    answered: int
    refused: int  # not answered from the documents
    helpful: int  # feedback clicks
    not_helpful: int


@dataclass(frozen=True)
class RuleTopic:
    """A rule staff were pointed to, and how often."""

    rule_id: str
    section: str | None
    rule_text: str | None
    count: int


@dataclass(frozen=True)
class SectionTopic:
    """A section of a municipality's document that answers were taken from, and how often."""

    municipality: str | None
    section: str
    count: int


@dataclass(frozen=True)
class AskedQuestion:
    """One question as staff word it; repeats with other casing or punctuation are counted together."""

    question: str  # the newest wording
    count: int
    last_asked: datetime


@dataclass(frozen=True)
class UnhelpfulAnswer:
    """An answer (the rule given to a question) someone marked as not helpful."""

    question: str
    rule_id: str | None
    section: str | None
    rule_text: str | None
    count: int  # not-helpful clicks
    last_given: datetime


@dataclass
class Report:
    municipality: str | None
    since: date | None
    generated_at: datetime
    totals: Totals
    rules: list[RuleTopic] = field(default_factory=list)
    sections: list[SectionTopic] = field(default_factory=list)
    questions: list[AskedQuestion] = field(default_factory=list)
    unanswered: list[AskedQuestion] = field(default_factory=list)
    not_helpful: list[UnhelpfulAnswer] = field(default_factory=list)
    cases: CaseSummary = field(default_factory=CaseSummary)  # questions that reached the advisers

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `veileder report --json` and /admin/status.json."""

        def plain(value: Any) -> Any:
            if isinstance(value, (datetime, date)):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(
            {
                "municipality": self.municipality,
                "since": self.since,
                "generated_at": self.generated_at,
                "totals": asdict(self.totals),
                "topics": {
                    "rules": [asdict(t) for t in self.rules],
                    "sections": [asdict(t) for t in self.sections],
                    "questions": [asdict(q) for q in self.questions],
                },
                "unanswered": [asdict(q) for q in self.unanswered],
                "not_helpful": [asdict(a) for a in self.not_helpful],
                "adviser_cases": self.cases.to_dict(),
            }
        )


def normalize_question(text: str) -> str:
    """The wording that counts as "the same question": case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; the log stores UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def build_report(log: QuestionLog, municipality: str | None, since: date | None, top: int = TOP) -> Report:
    """Sum up the questions asked in `municipality` (all when None) on or after `since` (all time when None)."""
    conditions = []
    if municipality:
        conditions.append(questions.c.municipality == municipality)
    if since is not None:
        conditions.append(questions.c.asked_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
    answered_with_feedback = feedback.join(questions, feedback.c.question_id == questions.c.id)
    try:
        with log.engine.connect() as conn:
            asked, answered = conn.execute(
                select(func.count(), func.coalesce(func.sum(case((questions.c.answered, 1), else_=0)), 0)).where(*conditions)
            ).one()
            clicks = dict(
                conn.execute(
                    select(feedback.c.helpful, func.count())
                    .select_from(answered_with_feedback)
                    .where(*conditions)
                    .group_by(feedback.c.helpful)
                ).all()
            )
            totals = Totals(asked, answered, asked - answered, clicks.get(True, 0), clicks.get(False, 0))

            count = func.count().label("n")
            rules = [
                RuleTopic(row.rule_id, row.section, row.rule_text, row.n)
                for row in conn.execute(
                    select(questions.c.rule_id, func.max(questions.c.section).label("section"), func.max(questions.c.rule_text).label("rule_text"), count)
                    .where(questions.c.rule_id.is_not(None), *conditions)
                    .group_by(questions.c.rule_id)
                    .order_by(count.desc(), questions.c.rule_id)
                    .limit(top)
                )
            ]
            sections = [
                SectionTopic(row.municipality, row.section, row.n)
                for row in conn.execute(
                    select(questions.c.municipality, questions.c.section, count)
                    .where(questions.c.section.is_not(None), *conditions)
                    .group_by(questions.c.municipality, questions.c.section)
                    .order_by(count.desc(), questions.c.municipality, questions.c.section)
                    .limit(top)
                )
            ]
            newest_first = questions.c.asked_at.desc()
            every = conn.execute(
                select(questions.c.question, questions.c.asked_at, questions.c.answered).where(*conditions).order_by(newest_first)
            ).all()
            unhelpful = conn.execute(
                select(questions.c.question, questions.c.rule_id, questions.c.section, questions.c.rule_text, feedback.c.given_at)
                .select_from(answered_with_feedback)
                .where(feedback.c.helpful == False, *conditions)  # noqa: E712 - SQL, not Python
                .order_by(feedback.c.given_at.desc())
            ).all()
        cases = CaseStore(log).summary(municipality, since, top)
    except SQLAlchemyError as exc:
        raise ReportError(f"can't read the question log ({type(exc).__name__}: {str(exc).splitlines()[0]})") from exc

    all_questions = _group_questions((q, at) for q, at, _ in every)
    unanswered = _group_questions((q, at) for q, at, ok in every if not ok)
    return Report(
        municipality=municipality,
        since=since,
        generated_at=datetime.now(timezone.utc),
        totals=totals,
        rules=rules,
        sections=sections,
        questions=sorted(all_questions, key=lambda q: (-q.count, -q.last_asked.timestamp()))[:top],
        unanswered=unanswered[:top],  # already newest first
        not_helpful=_group_unhelpful(unhelpful)[:top],
        cases=cases,
    )


def _group_questions(rows) -> list[AskedQuestion]:
    """Rows (question, asked_at), newest first → one entry per question, newest first, shown in its
    most common wording (the newest of equally common ones)."""
    groups: dict[str, tuple[Counter, datetime]] = {}
    for text, asked_at in rows:
        wordings, _ = groups.setdefault(normalize_question(text), (Counter(), _utc(asked_at)))
        wordings[text] += 1
    return [
        AskedQuestion(wordings.most_common(1)[0][0], wordings.total(), last)  # most_common keeps first-seen order on ties
        for wordings, last in groups.values()
    ]


def _group_unhelpful(rows) -> list[UnhelpfulAnswer]:
    groups: dict[tuple[str, str | None], list] = {}
    for text, rule_id, section, rule_text, given_at in rows:
        group = groups.setdefault((normalize_question(text), rule_id), [text, rule_id, section, rule_text, 0, _utc(given_at)])
        group[4] += 1
    found = [UnhelpfulAnswer(*group) for group in groups.values()]
    return sorted(found, key=lambda a: (-a.count, -a.last_given.timestamp()))


def municipalities_asking(log: QuestionLog) -> list[str]:
    """Municipalities with questions in the log: to tell a typo from a quiet municipality."""
    try:
        with log.engine.connect() as conn:
            rows = conn.execute(select(questions.c.municipality).where(questions.c.municipality.is_not(None)).distinct())
            return sorted(row[0] for row in rows)
    except SQLAlchemyError as exc:
        raise ReportError(f"can't read the question log ({type(exc).__name__})") from exc


# -- retention --------------------------------------------------------------------------------


def apply_retention(log: QuestionLog, days: int) -> int:
    """Delete questions (and their feedback) older than `days`; 0 or less keeps everything. Returns rows deleted."""
    if days <= 0:
        return 0
    deleted = log.delete_older_than(days)
    cases = CaseStore(log).delete_older_than(days)
    if cases:
        logger.info("retention: deleted %d adviser cases older than %d days", cases, days)
    if deleted:
        logger.info("retention: deleted %d questions older than %d days", deleted, days)
    return deleted


def retention_cleanup_ctx(
    log: QuestionLog, days: int, every_seconds: float = RETENTION_EVERY_SECONDS
) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp cleanup context: retention at start-up, then every `every_seconds`, stopped with the app.

    Wiring (in `veileder serve`): `web_app.cleanup_ctx.append(retention_cleanup_ctx(services.log, settings.retention_days))`.
    """

    return while_serving(lambda: _retention_loop(log, days, every_seconds), "veileder-retention")


async def _retention_loop(log: QuestionLog, days: int, every_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            await loop.run_in_executor(None, apply_retention, log, days)
        except SQLAlchemyError as exc:  # a database hiccup must not stop the bot; the next run retries
            logger.warning("retention failed: %s", exc)
        await asyncio.sleep(every_seconds)


# -- in the terminal ----------------------------------------------------------------------------


def short(text: str | None, limit: int = 140) -> str:
    """A rule's text cut to fit a table cell."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_report(console, report: Report) -> None:
    """The report as readable tables (rich), headings in Norwegian for the communications department."""
    from rich.table import Table
    from rich.text import Text

    scope = report.municipality or "alle kommuner"
    period = f"siden {report.since.isoformat()}" if report.since else "hele loggen"
    t = report.totals
    console.print(Text(f"Hva ansatte spør om – {scope}, {period}", style="bold"))
    console.print(
        Text(
            f"{t.questions} spørsmål · {t.answered} besvart · {t.refused} ikke besvart · "
            f"tilbakemeldinger: {t.helpful} nyttig, {t.not_helpful} ikke nyttig"
        )
    )

    def table(title: str, columns: list[tuple[str, dict]], rows: list[list[str]], empty: str) -> None:
        console.print()
        if not rows:
            console.print(Text(f"{title}: {empty}", style="dim"))
            return
        grid = Table(title=title, title_justify="left", title_style="bold", show_lines=False, expand=False)
        for name, options in columns:
            grid.add_column(name, **options)
        for row in rows:
            grid.add_row(*(Text(cell) for cell in row))
        console.print(grid)

    count = ("Antall", {"justify": "right", "no_wrap": True})
    table(
        "Mest spurt om – regler",
        [count, ("Avsnitt", {"ratio": 1}), ("Regel", {"ratio": 2})],
        [[str(r.count), r.section or "", short(r.rule_text)] for r in report.rules],
        "ingen ennå",
    )
    table(
        "Mest spurt om – avsnitt",
        [count, ("Kommune", {"no_wrap": True}), ("Avsnitt", {})],
        [[str(s.count), s.municipality or "", s.section] for s in report.sections],
        "ingen ennå",
    )
    table("Vanligste spørsmål", [count, ("Spørsmål", {})], [[str(q.count), q.question] for q in report.questions], "ingen ennå")
    table(
        "Spørsmål dokumentene ikke svarte på (nyeste først)",
        [("Sist spurt", {"no_wrap": True}), count, ("Spørsmål", {})],
        [[q.last_asked.strftime("%Y-%m-%d"), str(q.count), q.question] for q in report.unanswered],
        "ingen",
    )
    table(
        "Svar merket som ikke nyttige",
        [count, ("Spørsmål", {"ratio": 1}), ("Regel gitt", {"ratio": 2})],
        [[str(a.count), a.question, short(a.rule_text) or "(ingen regel)"] for a in report.not_helpful],
        "ingen",
    )
    render_cases(console, report.cases, table, count)


def hours_text(hours: float | None) -> str:
    """A time to reply as people say it: "35 min", "5,2 t", "3,1 døgn"."""
    if hours is None:
        return "–"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} t".replace(".", ",")
    return f"{hours / 24:.1f} døgn".replace(".", ",")


def render_cases(console, cases: CaseSummary, table, count) -> None:
    """The advisers' cases: open ones, answered ones with their time to reply, what reaches them."""
    from rich.text import Text

    console.print()
    console.print(Text("Saker til kommunikasjonsrådgiverne", style="bold"))
    console.print(Text(f"{len(cases.open)} åpne · {len(cases.answered)} besvart · median tid til første svar: {hours_text(cases.median_hours_to_reply)}"))
    table(
        "Åpne saker (eldste først)",
        [("Åpnet", {"no_wrap": True}), ("Ref.", {"no_wrap": True}), ("Status", {}), ("Spørsmål", {})],
        [[c.created_at.strftime("%Y-%m-%d %H:%M"), c.reference, f"{c.claimed_by_name} har saken" if c.claimed_by_name else "åpen", c.question] for c in cases.open],
        "ingen",
    )
    table(
        "Besvarte saker (nyeste først)",
        [("Besvart", {"no_wrap": True}), ("Tid til svar", {"no_wrap": True}), ("Av", {}), ("Spørsmål", {})],
        [[c.replied_at.strftime("%Y-%m-%d %H:%M") if c.replied_at else "", hours_text(c.hours_to_reply()), c.replied_by_name or "", c.question] for c in cases.answered],
        "ingen",
    )
    table("Temaer som oftest går til rådgiverne", [count, ("Tema (avsnitt)", {})], [[str(n), topic] for topic, n in cases.topics], "ingen ennå")

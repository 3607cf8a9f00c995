"""An adviser answers what the documents don't settle: cases move open → claimed → answered → closed,
repeat clicks change nothing, and a reply added to the knowledge base is cited below the rule of
later answers to similar questions after the next build — and leaves when withdrawn."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from bot.admin.cases import ANSWERED, CLAIMED, CLOSED, OPEN, CaseStore
from bot.admin.question_log import QuestionLog
from bot.store.schema import adviser_cases
from bot.admin.report import apply_retention
from bot.answering.engine import AnswerEngine
from bot.answering.presentation import AnswerView, adviser_note_label
from bot.texts import phrase
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import bundled_documents_dir, load_knowledge
from tests.conftest import hashing_settings

HOME = "ostre-toten"
ASKED = "Kan jeg dele bilder fra julebordet på Facebook?"
PARAPHRASE = "Er det lov å legge ut bilder fra julebordet på Facebook?"
REPLY = "Ja, men spør alle som er med på bildet først, og del aldri bilder av brukere eller pasienter."


@pytest.fixture
def store(settings) -> CaseStore:
    return CaseStore(QuestionLog.open(settings))


def open_case(store: CaseStore, engine: AnswerEngine, question: str = ASKED):
    answer = engine.ask(question, municipality=HOME)
    return store.open_case(
        answer, platform="slack", asker_id="U0KARI", asker_name="Kari Nordmann",
        reply_to={"channel": "D0KARI", "thread_ts": "1.000001"}, asker_note="Gjelder personalfesten",
    )


def test_a_case_goes_from_open_to_closed_and_repeat_clicks_change_nothing(store, engine):
    case = open_case(store, engine)
    assert case.state == OPEN and case.asker_name == "Kari Nordmann" and case.reply_to["channel"] == "D0KARI"
    assert case.verdict and case.topic

    claimed = store.claim(case.id, "U0ADA", "Ada Berg")
    assert claimed.changed and claimed.case.state == CLAIMED and claimed.case.claimed_by_name == "Ada Berg"
    again = store.claim(case.id, "U0ADA", "Ada Berg")
    assert not again.changed and again.case.claimed_at == claimed.case.claimed_at
    other = store.claim(case.id, "U0PER", "Per Li")
    assert not other.changed and other.reason == "taken" and other.case.claimed_by_name == "Ada Berg"
    assert store.reply(case.id, "U0PER", "Per Li", "Nei.").reason == "taken"

    replied = store.reply(case.id, "U0ADA", "Ada Berg", REPLY)
    assert replied.changed and replied.case.state == ANSWERED and replied.case.reply == REPLY
    assert not store.reply(case.id, "U0ADA", "Ada Berg", "Et annet svar").changed
    assert store.get(case.id).reply == REPLY

    assert store.mark_helpful(case.id, "U0PER").reason == "not_asker"
    closed = store.mark_helpful(case.id, "U0KARI")
    assert closed.changed and closed.case.state == CLOSED and closed.case.helpful is True
    assert not store.mark_helpful(case.id, "U0KARI").changed


def test_summary_counts_open_and_answered_cases_with_the_median_time_to_reply(store, engine):
    first, second, third = (open_case(store, engine) for _ in range(3))
    store.reply(first.id, "U0ADA", "Ada Berg", REPLY)
    store.reply(second.id, "U0ADA", "Ada Berg", REPLY)
    earlier = datetime.now(timezone.utc) - timedelta(hours=4)
    with store.engine.begin() as conn:
        conn.execute(update(adviser_cases).where(adviser_cases.c.id == first.id).values(created_at=earlier))
    summary = store.summary(HOME)
    assert [c.id for c in summary.open] == [third.id]
    assert {c.id for c in summary.answered} == {first.id, second.id}
    assert summary.median_hours_to_reply == pytest.approx(2.0, abs=0.05)
    assert summary.topics[0][1] == 3
    assert store.summary("baerum").open == []


def test_cases_follow_the_question_logs_retention(store, engine):
    case = open_case(store, engine)
    with store.engine.begin() as conn:
        conn.execute(update(adviser_cases).values(created_at=datetime.now(timezone.utc) - timedelta(days=400)))
    apply_retention(store.log, 365)
    assert store.get(case.id) is None


def test_overdue_cases_are_reminded_once_per_period(store, engine):
    case = open_case(store, engine)
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    assert [c.id for c in store.overdue(24, now=later)] == [case.id]
    store.mark_reminded(case.id, now=later)
    assert store.overdue(24, now=later) == []
    assert [c.id for c in store.overdue(24, now=later + timedelta(hours=24))] == [case.id]


def test_an_adviser_note_is_cited_below_the_rule_after_the_next_build_and_leaves_when_withdrawn(tmp_path, store, engine):
    settings = hashing_settings(tmp_path / "own")
    kb = load_knowledge(bundled_documents_dir())
    embedder = HashingEmbedder()
    index_dir = settings.resolved_index_dir()
    build_index(kb, embedder, index_dir)
    own_engine = AnswerEngine(settings, embedder=embedder)
    before = own_engine.ask(PARAPHRASE, municipality=HOME)
    assert before.adviser_notes == []

    case = open_case(store, engine)
    store.reply(case.id, "U0ADA", "Ada Berg", REPLY)
    added = store.add_note(case.id, "U0ADA", "Ada Berg")
    assert added.changed and not store.add_note(case.id, "U0ADA", "Ada Berg").changed
    assert own_engine.ask(PARAPHRASE, municipality=HOME).adviser_notes == []  # not until the next build

    report = build_index(kb, embedder, index_dir, notes=store.active_notes())
    assert report.notes == 1 and report.embedded == 1  # only the note is embedded
    after = own_engine.ask(PARAPHRASE, municipality=HOME)
    [note] = after.adviser_notes
    assert note.text == REPLY and note.author == "Ada Berg"
    assert (after.verdict, after.rule, after.kind) == (before.verdict, before.rule, before.kind)  # never changes the verdict
    view = AnswerView.of(after)
    assert adviser_note_label(view.adviser_notes[0], "nb").startswith("Svar fra kommunikasjonsavdelingen (")
    assert "Ada Berg" in adviser_note_label(view.adviser_notes[0], "nb")
    assert own_engine.ask(PARAPHRASE, municipality="baerum").adviser_notes == []  # per municipality
    assert own_engine.ask("Hvem har ansvaret for informasjon i en krise?", municipality=HOME).adviser_notes == []

    assert store.withdraw_note(added.case.note_id, "Ada Berg")
    assert not store.withdraw_note(added.case.note_id, "Ada Berg")
    build_index(kb, embedder, index_dir, notes=store.active_notes())
    assert own_engine.ask(PARAPHRASE, municipality=HOME).adviser_notes == []


def test_a_build_that_cant_read_the_notes_keeps_the_previous_ones(tmp_path, store, engine):
    settings = hashing_settings(tmp_path / "own")
    kb, embedder, index_dir = load_knowledge(bundled_documents_dir()), HashingEmbedder(), settings.resolved_index_dir()
    case = open_case(store, engine)
    store.reply(case.id, "U0ADA", "Ada Berg", REPLY)
    store.add_note(case.id, "U0ADA", "Ada Berg")
    build_index(kb, embedder, index_dir, notes=store.active_notes())
    assert build_index(kb, embedder, index_dir, notes=None).up_to_date
    assert AnswerEngine(settings, embedder=embedder).ask(PARAPHRASE, municipality=HOME).adviser_notes


@pytest.fixture(params=["sqlite", "postgresql"])
def two_replicas(request, tmp_path):
    """Two replicas' case stores on one database (SQLite, or a throwaway PostgreSQL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        from tests.standins.postgres_server import new_database

        url = new_database(request.getfixturevalue("postgres"))
    one, two = QuestionLog.at(url, salt="salt"), QuestionLog.at(url, salt="salt")
    yield CaseStore(one), CaseStore(two)
    one.database.close()
    two.database.close()


def test_two_advisers_on_two_replicas_claim_at_once_and_one_wins(two_replicas, engine):
    from concurrent.futures import ThreadPoolExecutor

    first, second = two_replicas
    answer = engine.ask(ASKED, municipality=HOME)
    case = first.open_case(answer, platform="teams", asker_id="A1", asker_name="Kari Nordmann", reply_to={"conversation": {"id": "a:1"}})
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda i: (first, second)[i % 2].claim(case.id, f"adviser-{i}", f"Rådgiver {i}"), range(8)))
    winners = [o for o in outcomes if o.changed]
    assert len(winners) == 1
    winner = winners[0].case.claimed_by
    assert all(o.case.claimed_by == winner for o in outcomes)
    replies = list(ThreadPoolExecutor(4).map(lambda i: second.reply(case.id, winner, "Rådgiver", f"svar {i}"), range(4)))
    assert sum(o.changed for o in replies) == 1
    assert first.get(case.id).state == ANSWERED


def test_slack_shows_the_adviser_note_below_the_rule_labelled_as_the_departments(tmp_path, store, engine):
    from bot.slack.blocks import answer_blocks
    from tests.standins.slack_standin import all_text

    settings = hashing_settings(tmp_path / "own")
    kb, embedder, index_dir = load_knowledge(bundled_documents_dir()), HashingEmbedder(), settings.resolved_index_dir()
    case = open_case(store, engine)
    store.reply(case.id, "U0ADA", "Ada Berg", REPLY)
    store.add_note(case.id, "U0ADA", "Ada Berg")
    build_index(kb, embedder, index_dir, notes=store.active_notes())
    answer = AnswerEngine(settings, embedder=embedder).ask(PARAPHRASE, municipality=HOME)
    text = all_text(answer_blocks(answer, None)[0])
    label = text.index("Svar fra kommunikasjonsavdelingen (")
    assert "Ada Berg" in text[label:] and REPLY[:40] in text[label:]
    if answer.rule is not None:  # below the rule, never in its place
        assert text.index(phrase("rule", "nb")) < label

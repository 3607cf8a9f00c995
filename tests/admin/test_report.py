"""The communications department reads what staff ask: figures from a seeded question log, the
retention that deletes old rows, and `veileder report` in the terminal and as JSON."""
from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest
from aiohttp import web
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from bot.cli.app import app
from bot.admin.report import apply_retention, build_report, normalize_question, retention_cleanup_ctx
from bot.admin.question_log import QuestionLog, feedback, questions

PRESS = "Kan jeg uttale meg til pressen?"
WHO = "Hvem gir politiske kommentarer?"
LUNCH = "Hva er lunsjmenyen i kantina?"
PARKING = "Hvor mange parkeringsplasser har rådhuset?"
SOCIAL = "Hvilke sosiale medier bruker kommunen?"
NOW = datetime.now(timezone.utc)

runner = CliRunner()


def ask(log: QuestionLog, engine, question: str, municipality: str, *, days_ago: float = 0, user: str = "U1") -> str:
    """Ask the real engine and log its answer as a front end does, `days_ago` in the past."""
    question_id = log.record_question("slack", user, engine.ask(question, municipality=municipality))
    with log.engine.begin() as conn:
        conn.execute(update(questions).where(questions.c.id == question_id).values(asked_at=NOW - timedelta(days=days_ago)))
    return question_id


def seed(log: QuestionLog, engine) -> dict[str, str]:
    """A month in Østre Toten and Bærum: press questions (one worded differently), two the documents can't answer."""
    ids = {
        "press": ask(log, engine, PRESS, "ostre-toten", days_ago=5, user="U1"),
        "press_again": ask(log, engine, PRESS, "ostre-toten", days_ago=4, user="U2"),
        "press_lower": ask(log, engine, "kan jeg uttale meg til PRESSEN", "ostre-toten", days_ago=3, user="U3"),
        "who": ask(log, engine, WHO, "ostre-toten", days_ago=3),
        "lunch": ask(log, engine, LUNCH, "ostre-toten", days_ago=6),
        "lunch_again": ask(log, engine, "hva er lunsjmenyen i kantina", "ostre-toten", days_ago=2),
        "parking": ask(log, engine, PARKING, "ostre-toten", days_ago=1),
        "social": ask(log, engine, SOCIAL, "baerum", days_ago=2),
        "old": ask(log, engine, SOCIAL, "baerum", days_ago=45),
    }
    log.record_feedback(ids["press"], False, "U1")
    log.record_feedback(ids["press_again"], False, "U2")
    log.record_feedback(ids["press_again"], True, "U9")
    log.record_feedback(ids["social"], True, "U4")
    return ids


@pytest.fixture(params=["sqlite", "postgresql"])
def log(request, tmp_path) -> QuestionLog:
    if request.param == "sqlite":
        store = QuestionLog.at(f"sqlite:///{tmp_path / 'questions.sqlite3'}", salt="test-salt")
    else:
        from tests.standins.postgres_server import new_database

        store = QuestionLog.at(new_database(request.getfixturevalue("postgres")), salt="test-salt")
    yield store
    store.engine.dispose()


@pytest.fixture
def seeded(log, engine) -> QuestionLog:
    seed(log, engine)
    return log


def test_the_report_counts_questions_answers_and_feedback(seeded):
    report = build_report(seeded, None, None)

    t = report.totals
    assert (t.questions, t.answered, t.refused) == (9, 6, 3)
    assert (t.helpful, t.not_helpful) == (2, 2)


def test_most_asked_topics_group_by_rule_section_and_wording(seeded, engine):
    press_rule = engine.ask(PRESS, municipality="ostre-toten").rule
    report = build_report(seeded, "ostre-toten", None)

    top = report.rules[0]
    assert (top.rule_id, top.count, top.rule_text) == (press_rule.rule_id, 3, press_rule.text)
    assert report.sections[0].section == press_rule.citation.section and report.sections[0].count == 4  # press + who
    assert report.sections[0].municipality == "ostre-toten"
    first = report.questions[0]
    assert first.count == 3 and first.question == PRESS  # in its most common wording
    assert {q.question for q in report.questions} >= {WHO, PARKING}


def test_questions_the_documents_did_not_answer_come_newest_first_with_repeats_counted(seeded):
    report = build_report(seeded, "ostre-toten", None)

    assert [(q.question, q.count) for q in report.unanswered] == [(PARKING, 1), ("hva er lunsjmenyen i kantina", 2)]
    assert report.unanswered[0].last_asked > report.unanswered[1].last_asked


def test_answers_marked_not_helpful_name_the_question_and_the_rule_given(seeded, engine):
    press_rule = engine.ask(PRESS, municipality="ostre-toten").rule
    [unhelpful] = build_report(seeded, None, None).not_helpful

    assert (unhelpful.question, unhelpful.rule_id, unhelpful.count) == (PRESS, press_rule.rule_id, 2)
    assert unhelpful.rule_text == press_rule.text


def test_municipality_and_since_narrow_the_report(seeded):
    baerum = build_report(seeded, "baerum", None)
    assert baerum.totals.questions == 2 and baerum.totals.helpful == 1
    assert [q.question for q in baerum.questions] == [SOCIAL]

    last_month = build_report(seeded, "baerum", date.today() - timedelta(days=30))
    assert last_month.totals.questions == 1
    assert build_report(seeded, "ostre-toten", date.today() + timedelta(days=1)).totals.questions == 0
    assert build_report(seeded, "atlantis", None).totals.questions == 0


def test_same_question_ignores_case_punctuation_and_spacing():
    assert normalize_question("  Kan jeg uttale meg til PRESSEN?! ") == normalize_question("kan jeg uttale meg  til pressen")
    assert normalize_question("Hvem svarer Østre Toten?") == "hvem svarer østre toten"


def test_an_empty_log_gives_an_empty_report(log):
    report = build_report(log, None, None)
    assert report.totals.questions == 0 and report.rules == [] and report.unanswered == [] and report.not_helpful == []
    assert json.loads(json.dumps(report.to_dict()))["totals"]["questions"] == 0


# -- retention -----------------------------------------------------------------------------------


def count_rows(log: QuestionLog) -> tuple[int, int]:
    with log.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(questions)).scalar_one(), conn.execute(
            select(func.count()).select_from(feedback)
        ).scalar_one()


async def test_a_burst_of_answers_is_logged_in_a_few_transactions_each_with_its_own_id(log, engine):
    """200 answers posted at once each get the id their feedback buttons carry, without 200 turns
    at the store's one writer before they can be posted."""
    from sqlalchemy import event

    commits: list[object] = []
    event.listen(log.engine, "commit", lambda conn: commits.append(conn))
    answers = [engine.ask(question, municipality="ostre-toten") for question in (PRESS, WHO, LUNCH, PARKING)]

    ids = await asyncio.gather(*(log.record_question_async("teams", f"U{i}", answers[i % 4]) for i in range(200)))

    assert len(set(ids)) == 200
    assert 1 <= len(commits) <= 10
    with log.engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(select(questions))}
    assert [rows[i].question for i in ids[:4]] == [PRESS, WHO, LUNCH, PARKING]
    assert rows[ids[5]].user_hash == log.user_hash("U5") != rows[ids[6]].user_hash
    asked_at = [rows[i].asked_at for i in ids]
    assert asked_at == sorted(asked_at)  # each at the moment it was logged: newest first stays in order


async def test_when_the_log_cannot_be_written_every_answer_in_the_batch_hears_it(tmp_path, engine):
    from sqlalchemy.exc import OperationalError

    from bot.store.database import Database

    unmigrated = QuestionLog(Database(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"), salt="s")  # no questions table
    answer = engine.ask(PRESS, municipality="ostre-toten")
    results = await asyncio.gather(*(unmigrated.record_question_async("slack", "U1", answer) for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, OperationalError) for r in results)
    unmigrated.database.close()


def test_retention_deletes_old_questions_and_their_feedback(log, engine):
    old = ask(log, engine, PRESS, "ostre-toten", days_ago=400)
    log.record_feedback(old, False, "U1")
    recent = ask(log, engine, PRESS, "ostre-toten", days_ago=10)
    log.record_feedback(recent, True, "U1")

    assert apply_retention(log, 0) == 0 and count_rows(log) == (2, 2)  # 0: keep everything
    assert apply_retention(log, 365) == 1
    assert count_rows(log) == (1, 1)
    assert log.feedback_for(recent) == [True]


async def test_serve_applies_retention_at_start_up(log, engine):
    ask(log, engine, PRESS, "ostre-toten", days_ago=400)
    ask(log, engine, PRESS, "ostre-toten", days_ago=1)
    web_app = web.Application()
    web_app.cleanup_ctx.append(retention_cleanup_ctx(log, 365))
    app_runner = web.AppRunner(web_app)
    await app_runner.setup()
    try:
        for _ in range(100):
            if count_rows(log)[0] == 1:
                break
            await asyncio.sleep(0.02)
        assert count_rows(log) == (1, 0)
    finally:
        await app_runner.cleanup()


# -- veileder report -----------------------------------------------------------------------------


@pytest.fixture
def cli_log(monkeypatch, tmp_path, engine) -> QuestionLog:
    """The log `veileder report` reads (VEILEDER_DATABASE_URL), seeded."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("VEILEDER_DATABASE_URL", url)
    monkeypatch.setenv("VEILEDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    log = QuestionLog.at(url, salt="test-salt")
    seed(log, engine)
    return log


def test_report_prints_readable_tables(cli_log):
    result = runner.invoke(app, ["report", "--municipality", "ostre-toten"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Hva ansatte spør om – ostre-toten" in text
    assert "7 spørsmål · 4 besvart · 3 ikke besvart · tilbakemeldinger: 1 nyttig, 2 ikke nyttig" in text
    assert "Spørsmål dokumentene ikke svarte på" in text and PARKING in text
    assert "Svar merket som ikke nyttige" in text and PRESS in text


def test_report_json_is_one_object(cli_log):
    since = (date.today() - timedelta(days=30)).isoformat()
    result = runner.invoke(app, ["report", "--since", since, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["since"] == since and data["municipality"] is None
    assert data["totals"] == {"questions": 8, "answered": 5, "refused": 3, "helpful": 2, "not_helpful": 2}
    assert data["unanswered"][0]["question"] == PARKING
    assert data["not_helpful"][0]["count"] == 2


def test_a_bad_date_is_one_friendly_line(cli_log):
    result = runner.invoke(app, ["report", "--since", "31.01.2026"])
    assert result.exit_code == 2
    assert "is not a date; use YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_an_unknown_municipality_is_pointed_out(cli_log):
    result = runner.invoke(app, ["report", "-m", "baerumm"])
    assert result.exit_code == 0
    assert "No questions from 'baerumm'" in result.output and "baerum, ostre-toten" in result.output

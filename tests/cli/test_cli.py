"""Staff and admins use the `veileder` command: readable answers, JSON, batches, one-line errors."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli.app import app

runner = CliRunner()


def test_ask_prints_a_readable_answer(env):
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?", "--municipality", "ostre-toten", "--role", "employee"])
    assert result.exit_code == 0, result.output
    assert "Østre Toten kommune" in result.output and "ansatte" in result.output


def test_ask_json_is_one_object(env):
    result = runner.invoke(app, ["ask", "Who speaks for the municipality?", "-m", "modum", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "en" and data["municipality"] == "modum"


def test_batch_follows_the_eval_contract(env):
    questions = env / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {"id": "a", "question": "Hvem gir politiske kommentarer?", "municipality": "ostre-toten", "role": None},
                {"id": "b", "question": "", "municipality": None, "role": None},
                {"id": "c", "question": "Hvilke sosiale medier bruker kommunen?", "municipality": "baerum", "role": None},
            ]
        )
    )
    result = runner.invoke(app, ["ask", "--batch", str(questions), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert all(isinstance(line["timing_ms"], float) for line in lines)
    assert lines[1]["answered"] is False and "empty" in lines[1]["error"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", ""], "empty"),
        (["ask", "x" * 50_000], "characters long"),
        (["ask", "Kan jeg?", "-m", "atlantis"], "Valid: asker, baerum, modum, ostre-toten"),
        (["ask", "Kan jeg?", "-r", "king"], "Valid: employee"),
        (["ask"], "give a question"),
    ],
)
def test_bad_input_is_one_friendly_line_not_a_traceback(env, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_a_corrupt_index_is_an_error_that_says_rebuild(env, tmp_path, monkeypatch):
    broken = tmp_path / "broken-index"
    (broken / "gen-x").mkdir(parents=True)
    (broken / "CURRENT").write_text("gen-x\n")
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(broken))
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg?"])
    assert result.exit_code == 2 and "rebuild" in result.output and "Traceback" not in result.output
    assert f"veileder index --index {broken}" in result.output.replace("\n", "")


@pytest.mark.parametrize("command", [["ask", "Kan jeg uttale meg til pressen?"], ["roles", "-m", "modum"]])
def test_an_index_with_damaged_files_is_one_line_that_says_how_to_rebuild_and_is_left_alone(env, built_index, tmp_path, monkeypatch, command):
    import shutil

    damaged = tmp_path / "damaged-index"
    shutil.copytree(built_index, damaged)
    generation = damaged / (damaged / "CURRENT").read_text().strip()
    (generation / "vectors.npy").write_bytes(b"not a numpy file")
    before = sorted(p.name for p in damaged.iterdir())
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(damaged))
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    message = result.output.replace("\n", "")
    assert message.startswith("Error: ") and "can't be read" in message and f"veileder index --index {damaged}" in message
    assert "Traceback" not in result.output
    assert sorted(p.name for p in damaged.iterdir()) == before  # nothing rebuilt behind the admin's back


@pytest.mark.parametrize("command", [["ask", "Kan jeg uttale meg til pressen?", "-m", "modum"], ["roles", "-m", "modum"]])
def test_a_missing_index_is_built_once_with_a_line_that_says_so(env, tmp_path, monkeypatch, command):
    fresh = tmp_path / "fresh-index"  # e.g. a first run on an empty data folder (make demo)
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(fresh))
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    assert f"No index in {fresh} yet: building the index (once)…" in first.stderr.replace("\n", "")
    assert "Modum" in first.stdout
    assert (fresh / "CURRENT").is_file()
    again = runner.invoke(app, command)
    assert again.exit_code == 0 and "building the index" not in again.stderr  # once


def test_index_command_reports_documents_and_skipped_files(env, tmp_path):
    from tests.documents import small_library

    docs = small_library(tmp_path / "docs")
    (docs / "testby" / "bilde.jpg").write_bytes(b"\xff\xd8\xff")
    result = runner.invoke(app, ["index", "--documents", str(docs), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    assert "4 documents" in result.output and "skipped testby/bilde.jpg" in result.output
    again = runner.invoke(app, ["index", "--documents", str(docs), "--index", str(tmp_path / "idx")])
    assert "up to date" in again.output


def test_help_documents_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ask", "index", "chat", "serve"):
        assert command in result.output


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("VEILEDER_DOCUMENTS_DIR", "missing-folder", "documents folder not found"),
        ("VEILEDER_MODEL", "/nonexistent/model", "could not load the embedding model"),
    ],
)
def test_a_misconfigured_first_run_is_one_line_not_a_traceback(env, monkeypatch, tmp_path, setting, value, message):
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(tmp_path / "fresh-index"))
    monkeypatch.setenv(setting, str(tmp_path / value) if setting.endswith("_DIR") else value)
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?"])
    assert result.exit_code == 2, result.output
    assert message in result.output.replace("\n", "") and "Traceback" not in result.output


def test_a_broken_catalog_is_reported_by_file(env, monkeypatch, tmp_path):
    from tests.documents import small_library

    docs = small_library(tmp_path / "docs")
    (docs / "catalog.toml").write_text("[municipalities.testby\nname = ")
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(tmp_path / "fresh-index"))
    monkeypatch.setenv("VEILEDER_DOCUMENTS_DIR", str(docs))
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?"])
    assert result.exit_code == 2 and "catalog.toml: not valid TOML" in result.output.replace("\n", "")


def test_a_bad_line_in_a_batch_gets_its_own_error_and_the_rest_are_answered(env):
    questions = env / "q.jsonl"
    questions.write_text(
        "\n".join(
            [
                "not json",
                "[1, 2]",
                json.dumps({"id": "n", "question": 123}),
                json.dumps({"id": "ok", "question": "Hvem gir politiske kommentarer?", "municipality": "ostre-toten"}),
            ]
        )
    )
    result = runner.invoke(app, ["ask", "--batch", str(questions), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [False, False, False, True]
    assert "q.jsonl:1" in lines[0]["error"] and lines[2]["id"] == "n" and lines[3]["id"] == "ok"


def test_questions_asked_on_the_command_line_are_stored(env):
    from bot.settings import Settings
    from bot.admin.question_log import QuestionLog
    from sqlalchemy import select

    from bot.admin.question_log import questions

    result = runner.invoke(app, ["ask", "Hvem gir politiske kommentarer?", "-m", "ostre-toten"])
    assert result.exit_code == 0, result.output
    log = QuestionLog.open(Settings())
    with log.engine.connect() as conn:
        rows = conn.execute(select(questions.c.platform, questions.c.question, questions.c.user_hash)).all()
    assert [(r.platform, r.question) for r in rows] == [("cli", "Hvem gir politiske kommentarer?")]
    assert rows[0].user_hash and len(rows[0].user_hash) == 64  # a salted hash, never the user name


def test_chat_answers_each_question_until_an_empty_line(env):
    result = runner.invoke(
        app,
        ["chat", "-m", "ostre-toten", "-r", "employee"],
        input="Hvem gir politiske kommentarer?\n\nKan jeg uttale meg?\n",
    )
    assert result.exit_code == 0, result.output
    assert "Veileder" in result.output
    assert "Regelen" in result.output or "Per rolle" in result.output  # the rule, or each role's rule
    assert result.output.count("? ") >= 1  # the prompt was shown
    assert "Kan jeg uttale meg?" not in result.output  # the empty line ended the session first


def test_chat_survives_a_bad_question(env):
    result = runner.invoke(app, ["chat", "-m", "ostre-toten"], input="?!\nHvem gir politiske kommentarer?\n")
    assert result.exit_code == 0, result.output
    assert "empty" in result.output and ("Regelen" in result.output or "Per rolle" in result.output)  # the next question is answered


def test_without_a_municipality_the_answer_says_whose_rules_answered_and_how_to_choose(env):
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["municipality_chosen"] is False
    assert data["municipalities"] == ["asker", "baerum", "modum", "ostre-toten"]
    answered_by = data["municipality"]
    assert answered_by in data["municipalities"]
    # one municipality's rules, not a mix
    quoted = [data["rule"]] if data["rule"] else []
    quoted += [rr["rule"] for rr in data["role_rules"]]
    assert {r["municipality"] for r in quoted} | {p["municipality"] for p in data["passages"]} == {answered_by}
    notice = data["municipality_notice"]
    assert "Ingen kommune er valgt" in notice and "-m KEY" in notice and "VEILEDER_MUNICIPALITY" in notice

    shown = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert " ".join(notice.split()) in text
    meta = shown.stdout.splitlines()[1]
    assert meta.startswith(notice.split("reglene til ")[1].split(".")[0])  # the meta line names the municipality too


def test_the_notice_is_in_the_askers_language(env):
    data = json.loads(runner.invoke(app, ["ask", "Can I talk to the press?", "--json"]).stdout)
    assert data["language"] == "en" and data["municipality_notice"].startswith("No municipality was chosen")


def test_a_chosen_or_configured_municipality_answers_without_the_notice(env, monkeypatch):
    chosen = json.loads(runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?", "-m", "modum", "--json"]).stdout)
    assert chosen["municipality_chosen"] is True and chosen["municipality_notice"] is None and chosen["municipalities"] is None
    monkeypatch.setenv("VEILEDER_MUNICIPALITY", "baerum")
    configured = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?"])
    assert configured.exit_code == 0 and "Ingen kommune er valgt" not in configured.stdout
    assert "Bærum" in configured.stdout


def test_the_role_table_in_an_answer_has_no_empty_header_row(env):
    # worded close to Østre Toten's press rules 6 and 7, so the tests' hashing embedder finds them
    result = runner.invoke(app, ["ask", "Kan jeg gi faktaopplysninger og vurderinger til pressen?", "-m", "ostre-toten"])
    assert result.exit_code == 0, result.output
    assert "Per rolle" in result.stdout  # the answer differs by role, so it shows the table
    assert "┃" not in result.stdout and "┡" not in result.stdout  # header rows are drawn with heavy lines


@pytest.mark.parametrize("value", ["0", "abc", ""])
def test_an_admin_with_a_bad_setting_gets_one_line_naming_it(env, monkeypatch, value):
    monkeypatch.setenv("VEILEDER_ANSWER_SLOTS", value)
    for command in (["ask", "Kan jeg uttale meg til pressen?", "-m", "ostre-toten"], ["serve", "--port", "1"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "VEILEDER_ANSWER_SLOTS=" in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1

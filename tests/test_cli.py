"""Staff and admins use the `veileder` command: readable answers, JSON, batches, one-line errors."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, tmp_path, built_index):
    monkeypatch.setenv("VEILEDER_MODEL", "hashing")
    monkeypatch.setenv("VEILEDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(built_index))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


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

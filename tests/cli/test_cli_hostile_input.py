"""Odd and hostile input on the command line stays data: markup-like options, lone surrogates and
line separators in a batch, a bad line among good ones."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli.app import app, json_line

runner = CliRunner()


@pytest.mark.parametrize("args", [["-m", "[/]"], ["-r", "[/x]"], ["-m", "[bold]x[/bold]"]])
def test_markup_like_options_are_one_friendly_line_shown_literally(env, args):
    result = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?", *args])

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error:" in result.output and args[1] in result.output
    assert "Traceback" not in result.output and "MarkupError" not in result.output


def test_a_batch_line_with_a_lone_surrogate_gets_its_own_answer_and_the_rest_go_on(env):
    questions = env / "q.jsonl"
    lines = [
        json.dumps({"id": "a", "question": "Hvem gir politiske kommentarer?", "municipality": "ostre-toten"}),
        '{"id": "b", "question": "Kan jeg uttale meg \\ud800 til pressen?", "municipality": "ostre-toten"}',
        "this line is not JSON",
        json.dumps({"id": "d", "question": "Kan jeg uttale meg\u2028til pressen?\u2029", "municipality": "modum"}, ensure_ascii=False),
        json.dumps({"id": "e", "question": "Hvilke sosiale medier bruker kommunen?", "municipality": "baerum"}),
    ]
    questions.write_text("\n".join(lines), encoding="utf-8")

    result = runner.invoke(app, ["ask", "--batch", str(questions), "--json"])

    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()  # splits on U+2028/U+2029 too: none may be written raw
    assert len(out) == 5
    answers = [json.loads(line) for line in out]
    assert [a["id"] for a in answers] == ["a", "b", None, "d", "e"]
    assert answers[1]["answered"] or answers[1]["error"]
    assert "\ufffd" in answers[1]["question"]
    assert "q.jsonl:3" in answers[2]["error"]
    assert answers[3]["passages"] or answers[3]["error"]


def test_json_lines_escape_line_separators_and_lone_surrogates():
    line = json_line({"question": "a\u2028b\u2029c\ud800"})
    assert line.count("\n") == 1 and len(line.splitlines()) == 1
    line.encode("utf-8")  # valid UTF-8
    assert json.loads(line)["question"] == "a\u2028b\u2029c\ud800"


def test_a_crisis_message_that_looks_like_markup_is_shown_as_written(env):
    on = runner.invoke(app, ["crisis", "on", "-m", "ostre-toten", "--message", "[/] Brann [bold]i[/bold] rådhuset", "--by", "[red]ada"])
    status = runner.invoke(app, ["crisis", "status"])

    assert on.exit_code == 0, on.output
    assert status.exit_code == 0, status.output
    assert "[/] Brann [bold]i[/bold] rådhuset" in " ".join(status.output.split())

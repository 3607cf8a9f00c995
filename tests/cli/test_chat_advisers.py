"""A staff member in `veileder chat` asks an adviser: the case reaches the advisers' Slack channel
through the running bot, the adviser replies there, and the reply shows at the chat's next prompt.
An admin lists and withdraws adviser notes with `veileder notes`."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli.app import app
from tests.slack.test_slack_advisers import ADVISER, ADVISERS_CHANNEL, HOME, REFUSED, fake_slack, in_channel, slack  # noqa: F401
from tests.standins.slack_standin import buttons

runner = CliRunner()
REPLY = "Feriepengene kommer i juni."


async def test_a_question_from_the_chat_reaches_the_advisers_and_the_reply_comes_back(env, monkeypatch, slack):  # noqa: F811
    monkeypatch.setenv("VEILEDER_ADVISERS", json.dumps({HOME: {"slack_channel": ADVISERS_CHANNEL, "users": [ADVISER]}}))
    first = runner.invoke(app, ["chat", "-m", HOME], input=f"{REFUSED}\n/rådgiver Haster litt\n\n", catch_exceptions=False)
    assert first.exit_code == 0
    assert "Spør en rådgiver: /rådgiver" in first.output
    assert "Spørsmålet er sendt til kommunikasjonsrådgiverne" in " ".join(first.output.split())

    assert await slack.front.advisers.post_pending() == 1  # what `veileder serve` does every minute
    assert await slack.front.advisers.post_pending() == 0
    [case_message] = in_channel(slack.fake, ADVISERS_CHANNEL)
    [case] = slack.services.cases.summary(HOME).open
    assert case.platform == "cli" and case.asker_note == "Haster litt"
    message = {**case_message, "ts": case.case_message["ts"]}
    await slack.send.click(buttons(case_message["blocks"])["case_reply"], ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    await slack.send.submit_view(slack.fake.views[-1], ADVISER, {"reply": REPLY, "knowledge": ["add"]})
    await slack.settle()

    later = runner.invoke(app, ["chat", "-m", HOME], input="\n", catch_exceptions=False)
    text = " ".join(later.output.split())
    assert "Svar fra en kommunikasjonsrådgiver: Rita Rådgiver" in text and REPLY in text
    again = runner.invoke(app, ["chat", "-m", HOME], input="\n", catch_exceptions=False)
    assert REPLY in again.output  # a new session shows what has come (the state is in the database)

    listed = runner.invoke(app, ["notes"], catch_exceptions=False)
    [note] = slack.services.cases.notes(HOME)
    assert note.id[:8] in listed.output and "Rita" in listed.output and "aktiv" in listed.output
    withdrawn = runner.invoke(app, ["notes", "--withdraw", note.id[:8]], catch_exceptions=False)
    assert withdrawn.exit_code == 0 and slack.services.cases.notes(HOME) == []
    assert runner.invoke(app, ["notes", "--withdraw", note.id[:8]]).exit_code != 0

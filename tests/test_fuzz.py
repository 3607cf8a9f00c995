"""200 generated odd and hostile questions through the batch CLI, Slack and Teams: no traceback, no
dropped line, every one answered or refused with a message (tests/fuzz_questions.py)."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

from bot.texts import phrase
from tests.fuzz_questions import fuzz_questions

ROOT = Path(__file__).resolve().parents[1]


def _apology_start(language: str) -> str:
    return phrase("error", language, ref="REF").split("REF")[0][:20]


APOLOGIES = {_apology_start(lang) for lang in ("nb", "nn", "en")}


def test_200_fuzzed_questions_through_the_batch_cli(env, built_index):
    questions = fuzz_questions()
    batch = env / "fuzz.jsonl"
    lines = [json.dumps({"id": f"f{i}", "question": q, "municipality": "ostre-toten"}) for i, q in enumerate(questions)]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli.app import main; sys.argv[0]='veileder'; main()", "ask", "--batch", str(batch), "--json"],
        cwd=env, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=600,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert b"Traceback" not in result.stderr, result.stderr[-2000:]
    out = result.stdout.decode("utf-8").splitlines()  # strict UTF-8; U+2028 would split a line here
    assert len(out) == 200
    answers = [json.loads(line) for line in out]
    assert [a["id"] for a in answers] == [f"f{i}" for i in range(200)]
    for a in answers:
        assert a["answered"] or a.get("error") or a.get("verdict"), a


async def test_200_fuzzed_questions_through_slack(settings, engine, caplog):
    from tests.slack.test_slack_app import PEOPLE, FakeSlack, serve, slack_services

    fake = await FakeSlack(people=dict(PEOPLE)).start()
    client, slack = await serve(slack_services(settings, engine, fake), fake)
    try:
        with caplog.at_level(logging.ERROR):
            questions = fuzz_questions(surrogates=False)  # Slack's JSON is UTF-8: no lone surrogates on the wire
            from tests.standins.slack_standin import dm

            for start in range(0, 200, 20):
                statuses = await asyncio.gather(*[
                    slack.send.event(dm(q, f"U{i:05d}", channel=f"D{i:05d}")) for i, q in enumerate(questions[start:start + 20], start)
                ])
                assert all(s.status == 200 for s in statuses)
            await slack.settle()
    finally:
        await client.close()
        await fake.stop()

    final: dict[str, str] = {}
    for call in fake.calls:
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral") and str(call.args.get("channel", "")).startswith("D"):
            final[call.args["channel"]] = str(call.args.get("text") or "")
    assert sorted(final) == [f"D{i:05d}" for i in range(200)]
    assert all(text.strip() and not any(text.startswith(a) for a in APOLOGIES) for text in final.values())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]


async def test_200_fuzzed_questions_through_teams(settings, engine, connector, monkeypatch, caplog):
    import aiohttp

    from bot.admin.crisis import CrisisStore
    from bot.admin.question_log import QuestionLog
    from bot.graph.profile import GraphProfiles
    from bot.serve import create_web_app
    from bot.services import BotServices
    from bot.store.setup import open_store
    from tests.standins.teams_standin import LocalServer, personal_message

    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED", "true")
    services = BotServices(settings.model_copy(update={"municipality": "ostre-toten"}), engine, QuestionLog.open(settings),
                           CrisisStore(open_store(settings)), graph_profiles=GraphProfiles(None))
    server = LocalServer(create_web_app(services))
    url = await server.start()
    conversations = {}
    try:
        with caplog.at_level(logging.ERROR):
            async with aiohttp.ClientSession() as session:
                async def ask(i: int, question: str) -> int:
                    activity = personal_message(connector.url, question, aad=str(uuid.UUID(int=i + 1)))
                    conversations[activity["conversation"]["id"]] = question
                    async with session.post(f"{url}api/messages", json=activity) as response:
                        return response.status

                for start in range(0, 200, 20):
                    statuses = await asyncio.gather(*[ask(i, q) for i, q in enumerate(fuzz_questions()[start:start + 20], start)])
                    assert all(s < 300 for s in statuses), statuses
                await services.running["teams_bot"].drain()  # Teams answers after acknowledging the activity
    finally:
        await server.stop()

    replies: dict[str, dict] = {}
    for sent in connector.messages():
        replies[sent.conversation_id] = sent.activity
    assert sorted(replies) == sorted(conversations)
    for activity in replies.values():
        text = activity.get("text") or ""
        assert activity.get("attachments") or text.strip()
        assert not any(text.startswith(a) for a in APOLOGIES)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]

"""A staff member asks a communications adviser from Slack: the real bolt app against the Slack
stand-in, from the answer's button through the modal, the case in the advisers' channel, the claim
and the reply, back to the asker's thread."""
from __future__ import annotations

import pytest

from bot.admin.cases import ANSWERED, CLAIMED, CLOSED, OPEN
from bot.texts import phrase
from tests.slack.test_slack_app import HOME, PEOPLE, STAFF, readable, serve, slack_services
from tests.standins.slack_standin import FakeSlack, Person, all_text, buttons, dm

ADVISER = "U0RADGIVER"
OTHER_ADVISER = "U0RADGIVER2"
ADVISERS_CHANNEL = "C0RADGIVERE"
REFUSED = "Når blir feriepengene utbetalt i år?"  # pay: not a communication question
PRESS = "Kan jeg uttale meg til pressen?"
REPLY = "Feriepengene utbetales i juni. Spør lønn om detaljer – men til pressen sier du ingenting om lønn."


@pytest.fixture
async def fake_slack():
    people = {**PEOPLE, ADVISER: Person("Rita Rådgiver", "Kommunikasjonsrådgiver"), OTHER_ADVISER: Person("Per Presse", "Kommunikasjonsrådgiver")}
    fake = await FakeSlack(people=people).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack(settings, engine, fake_slack):
    advisers = {HOME: {"slack_channel": ADVISERS_CHANNEL, "users": [ADVISER, OTHER_ADVISER]}}
    client, harness = await serve(slack_services(settings, engine, fake_slack, advisers=advisers), fake_slack)
    yield harness
    await client.close()


def in_channel(fake: FakeSlack, channel: str) -> list[dict]:
    return [p for p in fake.posted() if p["channel"] == channel]


def latest_update(fake: FakeSlack) -> dict:
    return fake.called("chat.update")[-1]


async def ask_in_dm(slack, question: str) -> dict:
    await slack.send.event(dm(question, STAFF))
    await slack.settle()
    return slack.fake.posted()[-1]


async def test_a_refused_question_reaches_an_adviser_and_the_reply_comes_back_in_the_thread(slack):
    answer = await ask_in_dm(slack, REFUSED)
    action_ids = [b["action_id"].split(":")[0] for b in answer["blocks"][-1]["elements"]]
    assert action_ids[0] == "ask_adviser"  # offered first on a refusal
    ask = buttons(answer["blocks"])["ask_adviser"]
    assert ask["text"]["text"] == phrase("ask_adviser", "nb") == "Spør en rådgiver"

    # The button opens a modal with the question pre-filled, saying who will see it.
    await slack.send.click(ask, STAFF, message={**answer, "ts": answer.get("ts") or "1700000000.000100"}, channel="D0DMCHANNEL")
    await slack.settle()
    [modal] = slack.fake.views
    assert modal["blocks"][0]["element"]["initial_value"] == REFUSED
    assert "Kommunikasjonsrådgiverne i Østre Toten" in all_text(modal["blocks"])

    response = await slack.send.submit_view(modal, STAFF, {"question": REFUSED, "note": "Gjelder sommerjobben min"})
    assert response.status == 200
    await slack.settle()
    [case_message] = in_channel(slack.fake, ADVISERS_CHANNEL)
    seen = readable(case_message["blocks"])
    assert REFUSED in seen and "Kari Nordmann" in seen and "Gjelder sommerjobben min" in seen
    assert phrase("case_bot_answer", "nb") in seen
    [case] = slack.services.cases.summary(HOME).open
    assert case.state == OPEN and case.asker_name == "Kari Nordmann"
    assert any(phrase("ask_sent", "nb") in c["text"] for c in slack.fake.called("chat.postEphemeral"))

    # A colleague who isn't an adviser can't take it.
    claim = buttons(case_message["blocks"])["case_claim"]
    message = {**case_message, "ts": case.case_message["ts"]}
    await slack.send.click(claim, STAFF, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    assert slack.services.cases.get(case.id).state == OPEN
    assert phrase("case_not_adviser", "nb") in slack.fake.called("chat.postEphemeral")[-1]["text"]

    # The adviser claims it; a double click changes nothing; another adviser is told who has it.
    await slack.send.click(claim, ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.send.click(claim, ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    claimed = slack.services.cases.get(case.id)
    assert claimed.state == CLAIMED and claimed.claimed_by_name == "Rita Rådgiver"
    assert len(slack.fake.called("chat.update")) == 1
    assert "Rita Rådgiver har saken" in readable(latest_update(slack.fake)["blocks"])
    await slack.send.click(claim, OTHER_ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    assert slack.services.cases.get(case.id).claimed_by == ADVISER
    assert "Rita Rådgiver har allerede saken" in slack.fake.called("chat.postEphemeral")[-1]["text"]

    # She replies through the reply modal; submitting twice posts one reply.
    reply_button = buttons(latest_update(slack.fake)["blocks"])["case_reply"]
    await slack.send.click(reply_button, ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    reply_modal = slack.fake.views[-1]
    await slack.send.submit_view(reply_modal, ADVISER, {"reply": REPLY})
    await slack.settle()
    await slack.send.submit_view(reply_modal, ADVISER, {"reply": "Et annet svar"})
    await slack.settle()
    answered = slack.services.cases.get(case.id)
    assert answered.state == ANSWERED and answered.reply == REPLY
    [human] = [p for p in slack.fake.posted() if p["channel"] == "D0DMCHANNEL" and p.get("thread_ts")]
    assert human["thread_ts"] == message_ts(answer)
    seen = readable(human["blocks"])
    assert "Svar fra en kommunikasjonsrådgiver: Rita Rådgiver" in seen and REPLY in seen
    assert "Besvart av Rita Rådgiver" in readable(latest_update(slack.fake)["blocks"])

    # The asker marks it helpful (twice): the case is closed once.
    helpful = buttons(human["blocks"])["case_helpful"]
    await slack.send.click(helpful, STAFF, message={**human, "ts": "1700000000.000200"}, channel="D0DMCHANNEL")
    await slack.send.click(helpful, STAFF, message={**human, "ts": "1700000000.000200"}, channel="D0DMCHANNEL")
    await slack.settle()
    closed = slack.services.cases.get(case.id)
    assert closed.state == CLOSED and closed.helpful is True


def message_ts(posted: dict) -> str:
    return posted.get("ts") or "1700000000.000100"


async def test_a_confident_answer_offers_asking_an_adviser_last(slack):
    answer = await ask_in_dm(slack, PRESS)
    action_ids = [b["action_id"].split(":")[0] for b in answer["blocks"][-1]["elements"]]
    assert "ask_adviser" in action_ids


async def test_a_reply_added_to_the_knowledge_base_becomes_an_adviser_note(slack):
    answer = await ask_in_dm(slack, REFUSED)
    await slack.send.click(buttons(answer["blocks"])["ask_adviser"], STAFF, message={**answer, "ts": message_ts(answer)}, channel="D0DMCHANNEL")
    await slack.settle()
    await slack.send.submit_view(slack.fake.views[-1], STAFF, {"question": REFUSED})
    await slack.settle()
    [case] = slack.services.cases.summary(HOME).open
    message = {**in_channel(slack.fake, ADVISERS_CHANNEL)[0], "ts": case.case_message["ts"]}
    await slack.send.click(buttons(message["blocks"])["case_reply"], ADVISER, message=message, channel=ADVISERS_CHANNEL)
    await slack.settle()
    await slack.send.submit_view(slack.fake.views[-1], ADVISER, {"reply": REPLY, "knowledge": ["add"]})
    await slack.settle()
    [note] = slack.services.cases.notes(HOME)
    assert note.text == REPLY and note.author_name == "Rita Rådgiver" and note.question == REFUSED


async def test_a_case_open_too_long_gets_a_reminder_in_the_channel(slack):
    answer = await ask_in_dm(slack, REFUSED)
    await slack.send.click(buttons(answer["blocks"])["ask_adviser"], STAFF, message={**answer, "ts": message_ts(answer)}, channel="D0DMCHANNEL")
    await slack.settle()
    await slack.send.submit_view(slack.fake.views[-1], STAFF, {"question": REFUSED})
    await slack.settle()
    front = slack.front
    object.__setattr__(front.services, "settings", front.services.settings.model_copy(update={"adviser_reminder_hours": 1e-9}))
    assert await front.advisers.remind_overdue() == 1
    [case] = slack.services.cases.summary(HOME).open
    reminder = in_channel(slack.fake, ADVISERS_CHANNEL)[-1]
    assert reminder["thread_ts"] == case.case_message["ts"] and "Påminnelse" in reminder["text"]


async def test_the_servers_adviser_round_posts_cases_from_the_terminal_and_reminds(settings, engine, fake_slack):
    from aiohttp import web

    from bot.serve import adviser_round
    from bot.slack.app import mount_slack

    advisers = {HOME: {"slack_channel": ADVISERS_CHANNEL, "users": [ADVISER]}}
    services = slack_services(settings, engine, fake_slack, advisers=advisers, adviser_reminder_hours=1e-9)
    app = web.Application()
    mount_slack(app, services)
    answer = engine.ask(REFUSED, municipality=HOME)
    case = services.cases.open_case(answer, platform="cli", asker_id="kari", asker_name="kari", reply_to={"terminal": "kari"})
    await adviser_round(app)
    posted = in_channel(fake_slack, ADVISERS_CHANNEL)
    assert REFUSED in readable(posted[0]["blocks"])  # the case, then its reminder in the thread
    assert posted[1]["thread_ts"] == services.cases.get(case.id).case_message["ts"] and "Påminnelse" in posted[1]["text"]
    services.settings = services.settings.model_copy(update={"adviser_reminder_hours": 1.0})
    await adviser_round(app)
    assert len(in_channel(fake_slack, ADVISERS_CHANNEL)) == 2  # posted once; the next reminder waits an hour

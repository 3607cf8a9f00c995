"""Staff ask Veileder in Slack: the real bolt app on 127.0.0.1, driven by requests signed as Slack
signs them, answering through a local stand-in for Slack's Web API (tests/slack_standin.py)."""
from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.answering.engine import AnswerEngine
from bot.answering.questions import QuestionError, clean_question
from bot.services import BotServices
from bot.slack.app import SLACK_FRONT_END, SlackFrontEnd, mount_slack, question_text
from bot.slack.blocks import escape
from bot.texts import phrase as slack_text
from bot.admin.question_log import QuestionLog, questions
from index.embedder import HashingEmbedder
from knowledge.roles import role_name
from tests.standins.slack_standin import (
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    TEAM_ID,
    FakeSlack,
    Person,
    SlackSender,
    all_text,
    buttons,
    channel_message,
    dm,
    event_callback,
    mention,
    signed_headers,
)

STAFF = "U0KARI"
LEADER = "U0OLA"
ADMIN = "U0ADA"
PEOPLE = {
    STAFF: Person("Kari Nordmann", "Saksbehandler, byggesak"),
    LEADER: Person("Ola Hansen", "Enhetsleder hjemmetjenesten"),
    ADMIN: Person("Ada Berg", "Kommunikasjonsrådgiver"),
}
HOME = "ostre-toten"
PRESS = "Kan jeg uttale meg til pressen?"


@dataclass
class Slack:
    """The bot as Slack sees it: where to send requests, and what came back to Slack."""

    send: SlackSender
    fake: FakeSlack
    front: SlackFrontEnd
    services: BotServices

    async def settle(self) -> None:
        """Wait until every answer the bot started has been posted."""
        await self.front.drain()

    def logged(self) -> list:
        with self.services.log.engine.connect() as conn:
            return conn.execute(select(questions).order_by(questions.c.asked_at)).all()


def readable(blocks: list[dict]) -> str:
    """The blocks' text as read: quote markers removed, whitespace folded."""
    text = re.sub(r"(?m)^> ?", "", all_text(blocks))
    return re.sub(r"\s+", " ", text)


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", escape(text)).strip()


@pytest.fixture
async def fake_slack():
    fake = await FakeSlack(people=dict(PEOPLE)).start()
    yield fake
    await fake.stop()


def slack_services(settings, engine, fake: FakeSlack, **overrides) -> BotServices:
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "municipality": HOME,
        "admin_users": ADMIN,
        "slack_team_municipalities": {TEAM_ID: HOME, "T0BAERUM": "baerum", "T0FEIL": "atlantis"},
        **overrides,
    }
    slack_settings = settings.model_copy(update=values)
    return BotServices(slack_settings, engine, QuestionLog.open(slack_settings), CrisisStore(open_store(slack_settings)))


async def serve(services: BotServices, fake: FakeSlack):
    app = web.Application()
    mount_slack(app, services)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client, Slack(SlackSender(client, fake), fake, app[SLACK_FRONT_END], services)


@pytest.fixture
async def slack(settings, engine, fake_slack):
    client, harness = await serve(slack_services(settings, engine, fake_slack), fake_slack)
    yield harness
    await client.close()


# -- asking --------------------------------------------------------------------------------------


async def test_a_staff_member_asks_in_a_dm_and_gets_the_rule_quoted_with_its_source(slack, engine):
    event = dm(PRESS, STAFF)
    started = time.monotonic()
    response = await slack.send.event(event)
    assert response.status == 200
    assert time.monotonic() - started < 3  # Slack's acknowledgement deadline
    await slack.settle()

    expected = engine.ask(PRESS, municipality=HOME, profile_role="employee")
    assert expected.rule is not None
    [post] = slack.fake.posted()
    assert post["channel"] == event["channel"] and not post.get("thread_ts")
    assert post["text"].startswith(escape(expected.verdict))
    seen = readable(post["blocks"])
    assert folded(expected.rule.text)[:300] in seen
    assert escape(expected.rule.citation.label()) in seen
    assert escape(expected.verdict) in seen

    # It showed it was working: a reaction on the question, removed once the answer was posted.
    methods = [c.method for c in slack.fake.calls if c.method.startswith(("reactions", "chat"))]
    assert methods == ["reactions.add", "chat.postMessage", "reactions.remove"]
    assert slack.fake.called("reactions.add")[0]["timestamp"] == event["ts"]
    assert slack.fake.called("users.info") == [{"user": STAFF}]

    # The question is in the log, and the feedback buttons point at it.
    [row] = slack.logged()
    assert (row.platform, row.question, row.municipality) == ("slack", PRESS, HOME)
    assert row.user_hash == slack.services.log.user_hash(STAFF) != STAFF
    assert json.loads(buttons(post["blocks"])["feedback_helpful"]["value"])["question_id"] == row.id


async def test_when_slack_is_slow_to_show_working_the_answer_still_comes_after_it(slack):
    # The reaction is added while the answer is worked on; the answer waits for it, so the
    # reaction never outlives the answer.
    slack.fake.delays["reactions.add"] = 0.5
    assert (await slack.send.event(dm(PRESS, STAFF))).status == 200
    await slack.settle()

    methods = [c.method for c in slack.fake.calls if c.method.startswith(("reactions", "chat", "users"))]
    # the asker's profile was looked up (and the answer worked on) while the reaction was being added
    assert methods == ["users.info", "reactions.add", "chat.postMessage", "reactions.remove"]


async def test_a_mention_in_a_channel_is_answered_in_a_thread_without_the_mention(slack, engine):
    question = "Hvem uttaler seg til media?"
    event = mention(f"<@{BOT_USER_ID}> {question}", STAFF)
    assert (await slack.send.event(event)).status == 200
    await slack.settle()

    [post] = slack.fake.posted()
    assert post["channel"] == event["channel"]
    assert post["thread_ts"] == event["ts"]
    [row] = slack.logged()
    assert row.question == question
    expected = engine.ask(question, municipality=HOME, profile_role="employee")
    assert escape(expected.verdict) in readable(post["blocks"])


async def test_a_follow_up_in_the_thread_is_answered_there_and_other_chatter_is_left_alone(slack):
    first = mention(f"<@{BOT_USER_ID}> {PRESS}", STAFF)
    await slack.send.event(first)
    await slack.settle()

    follow_up = channel_message("Gjelder det også sosiale medier?", STAFF, thread_ts=first["ts"])
    chatter = channel_message("Noen som vil ha kaffe?", STAFF)
    other_thread = channel_message("Og i morgen?", STAFF, thread_ts="1700000000.000001")
    for event in (follow_up, chatter, other_thread):
        assert (await slack.send.event(event)).status == 200
    await slack.settle()

    posts = slack.fake.posted()
    assert [p["thread_ts"] for p in posts] == [first["ts"], first["ts"]]
    assert [r.question for r in slack.logged()] == [PRESS, "Gjelder det også sosiale medier?"]


async def test_a_mention_in_a_thread_arrives_as_two_events_and_is_answered_once(slack):
    first = mention(f"<@{BOT_USER_ID}> {PRESS}", STAFF)
    await slack.send.event(first)
    await slack.settle()
    again = mention(f"<@{BOT_USER_ID}> Og på Facebook?", STAFF, thread_ts=first["ts"])
    as_message = channel_message(again["text"], STAFF, ts=again["ts"], thread_ts=first["ts"])
    await slack.send.event(again)
    await slack.send.event(as_message)
    await slack.settle()
    assert len(slack.fake.posted()) == 2


async def test_the_role_comes_from_the_profile_title_unless_the_question_states_it(slack, engine):
    question = "Kan jeg uttale meg til media?"
    await slack.send.event(dm(question, LEADER))
    await slack.settle()
    from_profile = engine.ask(question, municipality=HOME, profile_role="unit_leader")
    assert (from_profile.role, from_profile.role_source) == ("unit_leader", "profile")
    [post] = slack.fake.posted()
    seen = readable(post["blocks"])
    assert f"Din rolle: {role_name('unit_leader')} (fra profilen din)" in seen
    assert escape(from_profile.verdict) in seen

    stated = "Jeg er ordfører. Kan jeg uttale meg til media?"
    await slack.send.event(dm(stated, LEADER))
    await slack.settle()
    assert f"Din rolle: {role_name('mayor')} (fra spørsmålet)" in readable(slack.fake.posted()[-1]["blocks"])
    assert [r.role for r in slack.logged()] == ["unit_leader", "mayor"]
    assert len(slack.fake.called("users.info")) == 1  # the profile is cached between questions


async def test_each_workspace_gets_its_own_municipality_with_a_default(slack, engine):
    await slack.send.event(dm(PRESS, STAFF, channel="D0BAERUM"), team_id="T0BAERUM")
    await slack.send.event(dm(PRESS, STAFF, channel="D0UKJENT"), team_id="T0UKJENT")
    await slack.settle()
    by_channel = {p["channel"]: readable(p["blocks"]) for p in slack.fake.posted()}
    for channel, municipality in (("D0BAERUM", "baerum"), ("D0UKJENT", HOME)):
        expected = engine.ask(PRESS, municipality=municipality, profile_role="employee")
        assert escape(expected.municipality_name) in by_channel[channel]
        if expected.rule:
            assert escape(expected.rule.citation.label()) in by_channel[channel]
    assert sorted(r.municipality for r in slack.logged()) == sorted(["baerum", HOME])


# -- what it leaves alone, and what it says when it can't answer ----------------------------------


async def test_its_own_and_other_bots_messages_and_edits_are_ignored(slack):
    await slack.send.event(dm("Kan jeg uttale meg?", BOT_USER_ID, bot_id=BOT_ID))
    await slack.send.event(dm("Automatisk varsel: kan jeg uttale meg?", "U0ANNENBOT", bot_id="B0ANNEN", subtype="bot_message"))
    await slack.send.event(dm("Kan jeg uttale meg?", STAFF, subtype="message_changed"))
    await slack.settle()
    assert slack.fake.posted() == []
    assert slack.logged() == []


async def test_a_message_with_only_a_mention_gets_a_friendly_prompt(slack):
    event = mention(f"<@{BOT_USER_ID}>", STAFF)
    await slack.send.event(event)
    await slack.settle()
    [post] = slack.fake.posted()
    assert post["text"] == slack_text("empty", "nb")
    assert post["thread_ts"] == event["ts"]
    assert slack.logged() == []


async def test_a_60000_character_message_gets_a_friendly_message_and_nothing_breaks(slack, settings):
    huge = ("Kan jeg uttale meg til pressen om saken vi jobber med? " * 1100)[:60_000]
    assert (await slack.send.event(dm(huge, STAFF))).status == 200
    await slack.settle()
    with pytest.raises(QuestionError) as refused:
        clean_question(huge, settings.max_question_chars)
    [post] = slack.fake.posted()
    assert post["text"] == escape(str(refused.value))
    assert slack.fake.called("reactions.add") == []

    await slack.send.event(dm(PRESS, STAFF))  # and the next question is answered as usual
    await slack.settle()
    assert len(slack.fake.posted()) == 2 and len(slack.logged()) == 1


async def test_a_question_the_engine_refuses_as_typed_gets_its_message_as_is(slack, engine):
    await slack.send.event(dm(PRESS, STAFF, channel="D0FEIL"), team_id="T0FEIL")
    await slack.settle()
    with pytest.raises(QuestionError) as refused:
        engine.ask(PRESS, municipality="atlantis")
    [post] = slack.fake.posted()
    assert post["text"] == escape(str(refused.value))


async def test_when_something_breaks_the_asker_gets_an_apology_with_a_reference_and_the_log_the_details(
    settings, fake_slack, tmp_path, caplog
):
    broken = AnswerEngine(settings.model_copy(update={"index_dir": tmp_path / "no-index-here"}), embedder=HashingEmbedder())
    client, slack = await serve(slack_services(settings, broken, fake_slack), fake_slack)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.slack.app"):
            await slack.send.event(dm(PRESS, STAFF))
            await slack.settle()
    finally:
        await client.close()
    [post] = slack.fake.posted()
    reference = re.fullmatch(r"Beklager, .*referanse `([0-9a-f]{8})`\.", post["text"]).group(1)
    assert "Traceback" not in post["text"] and "index" not in post["text"]
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None  # the details are in the log, under the same reference
    assert slack.fake.called("reactions.remove")  # the working reaction doesn't linger


# -- Slack's signatures, retries and replays ------------------------------------------------------


async def test_forged_unsigned_and_stale_requests_get_401_and_no_answer(slack):
    body = json.dumps(event_callback(dm(PRESS, STAFF)))
    forged = signed_headers(body, "application/json", secret="not-the-signing-secret")
    unsigned = {"Content-Type": "application/json"}
    stale = signed_headers(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    future = signed_headers(body, "application/json", timestamp=int(time.time()) + 6 * 60)
    tampered = signed_headers(body, "application/json")
    for headers, sent in ((forged, body), (unsigned, body), (stale, body), (future, body), (tampered, body.replace("pressen", "avisa"))):
        response = await slack.send.post(sent, headers)
        assert response.status == 401
    await slack.settle()
    assert slack.fake.calls == []  # not even auth.test: nothing was processed


async def test_a_slack_retry_is_acknowledged_and_answered_once(slack):
    event = dm(PRESS, STAFF)
    assert (await slack.send.event(event, event_id="Ev0RETRY01")).status == 200
    retry = await slack.send.event(event, event_id="Ev0RETRY01", retry=1, timestamp=int(time.time()) + 1)
    assert retry.status == 200
    await slack.settle()
    assert len(slack.fake.posted()) == 1
    assert len(slack.logged()) == 1


async def test_a_request_replayed_verbatim_is_refused(slack):
    body = json.dumps(event_callback(dm(PRESS, STAFF)))
    headers = signed_headers(body, "application/json")
    assert (await slack.send.post(body, headers)).status == 200
    refused = await slack.send.post(body, headers)
    assert refused.status == 401 and "replayed" in await refused.text()
    # The same copy claiming to be Slack's retry is acknowledged (Slack would otherwise retry on) but not answered.
    assert (await slack.send.post(body, {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})).status == 200
    await slack.settle()
    assert len(slack.fake.posted()) == 1


async def test_slacks_url_verification_is_answered(slack):
    body = json.dumps({"token": "legacy-verification-token", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    response = await slack.send.post(body, signed_headers(body, "application/json"))
    assert response.status == 200
    assert (await response.json())["challenge"].startswith("3eZbrw1a")


# -- the slash command --------------------------------------------------------------------------


async def test_slash_command_answers_privately_and_the_asker_can_share_it_in_the_channel(slack, engine):
    response = await slack.send.command(PRESS, STAFF)
    assert response.status == 200
    assert (await response.json())["text"] == slack_text("working", "nb")
    await slack.settle()

    expected = engine.ask(PRESS, municipality=HOME, profile_role="employee")
    [private] = slack.fake.hook_messages("command")
    assert private["response_type"] == "ephemeral" and private["replace_original"] is True
    assert folded(expected.rule.text)[:300] in readable(private["blocks"])
    controls = buttons(private["blocks"])
    assert {"feedback_helpful", "feedback_not_helpful", "share_answer"} <= set(controls)

    await slack.send.click(controls["share_answer"], STAFF, ephemeral=True, hook="share")
    await slack.settle()
    shared, removed = slack.fake.hook_messages("share")
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    seen = readable(shared["blocks"])
    assert f"<@{STAFF}> spurte: «{escape(PRESS)}»" in seen
    assert folded(expected.rule.text)[:300] in seen and escape(expected.rule.citation.label()) in seen
    assert "share_answer" not in buttons(shared["blocks"])
    assert removed["delete_original"] is True
    assert slack.fake.posted() == []  # everything went through Slack's response_url
    assert len(slack.logged()) == 1


@pytest.mark.parametrize(("text", "first_words"), [("help", "*Veileder* answers"), ("hjelp", "*Veileder* svarer"), ("", "*Veileder* svarer")])
async def test_slash_command_help(slack, text, first_words):
    response = await slack.send.command(text, STAFF)
    body = await response.json()
    assert body["blocks"][0]["text"]["text"].startswith(first_words)
    assert "/veileder" in all_text(body["blocks"])


async def test_slash_command_roles_lists_the_roles_and_the_askers_own(slack):
    response = await slack.send.command("roller", LEADER)
    assert response.status == 200
    await slack.settle()
    [reply] = slack.fake.hook_messages("command")
    seen = readable(reply["blocks"])
    assert "Enhetsleder hjemmetjenesten" in seen and f"*{role_name('unit_leader')}*" in seen
    assert "Ordføreren" in seen and reply["response_type"] == "ephemeral"


async def test_reindex_is_for_admins_only_and_says_when_it_is_not_configured(slack):
    refused = await (await slack.send.command("reindex", STAFF)).json()
    assert refused["text"] == slack_text("reindex_refused", "en")
    not_configured = await (await slack.send.command("reindex", ADMIN)).json()
    assert not_configured["text"] == slack_text("reindex_unavailable", "en")

    asked_for: list[str | None] = []

    async def reindex(municipality: str | None) -> str:
        asked_for.append(municipality)
        return "4 dokumenter, 212 avsnitt, 57 regler"

    slack.front.services = dataclasses.replace(slack.services, reindex=reindex)  # the server as `veileder serve` builds it
    started = await (await slack.send.command("reindekser", ADMIN)).json()
    assert started["text"] == slack_text("reindex_started", "nb")
    await slack.settle()
    assert asked_for == [HOME]
    [done] = slack.fake.hook_messages("command")
    assert done["text"] == slack_text("reindex_done", "nb", summary="4 dokumenter, 212 avsnitt, 57 regler")


# -- feedback -----------------------------------------------------------------------------------


async def test_feedback_clicks_are_stored_and_acknowledged_to_the_person(slack):
    first = mention(f"<@{BOT_USER_ID}> {PRESS}", STAFF)
    await slack.send.event(first)
    await slack.settle()
    [post] = slack.fake.posted()
    message = {"type": "message", "ts": "1700000001.000100", "thread_ts": first["ts"], "user": BOT_USER_ID, "blocks": post["blocks"]}
    controls = buttons(post["blocks"])
    [row] = slack.logged()

    await slack.send.click(controls["feedback_helpful"], STAFF, message=message, hook="yes")
    await slack.settle()
    assert slack.services.log.feedback_for(row.id) == [True]
    [thanks] = slack.fake.hook_messages("yes")
    assert thanks == {"text": slack_text("thanks_helpful", "nb"), "response_type": "ephemeral", "replace_original": False, "thread_ts": first["ts"]}

    await slack.send.click(controls["feedback_not_helpful"], STAFF, message=message, hook="no")
    await slack.settle()
    assert slack.services.log.feedback_for(row.id) == [False]  # a second click replaces the first
    assert slack.fake.hook_messages("no")[0]["text"] == slack_text("thanks_not_helpful", "nb")

    unknown = {**controls["feedback_helpful"], "action_id": "feedback_helpful:deleted", "value": json.dumps({"question_id": "deleted", "language": "nb"})}
    await slack.send.click(unknown, STAFF, message=message, hook="gone")
    await slack.settle()
    assert slack.fake.hook_messages("gone")[0]["text"] == slack_text("feedback_unknown", "nb")


async def test_when_the_question_log_cannot_be_written_the_answer_still_comes_and_its_buttons_say_so_when_clicked(slack, caplog):
    from sqlalchemy import text

    with slack.services.log.engine.begin() as conn:  # a log that takes no line: every insert fails
        conn.execute(text("DROP TABLE feedback"))
        conn.execute(text("DROP TABLE questions"))
        conn.execute(text("CREATE TABLE questions (id VARCHAR(36) PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE feedback (id INTEGER PRIMARY KEY)"))
    first = mention(f"<@{BOT_USER_ID}> {PRESS}", STAFF)

    with caplog.at_level(logging.ERROR, logger="bot.slack.app"):
        await slack.send.event(first)
        await slack.settle()

    [post] = slack.fake.posted()
    assert "could not record a Slack question" in caplog.text
    message = {"type": "message", "ts": "1700000001.000100", "thread_ts": first["ts"], "user": BOT_USER_ID, "blocks": post["blocks"]}
    await slack.send.click(buttons(post["blocks"])["feedback_helpful"], STAFF, message=message, hook="lost")
    await slack.settle()
    assert slack.fake.hook_messages("lost")[0]["text"] == slack_text("feedback_unknown", "nb")


def test_the_question_is_read_without_slack_markup():
    text = f"<@{BOT_USER_ID}> kan jeg dele <https://www.ostre-toten.kommune.no/nyhet|nyheten> i <#C0123|kommunikasjon> &amp; på Facebook &lt;3"
    assert question_text(text, BOT_USER_ID) == "kan jeg dele nyheten i #kommunikasjon & på Facebook <3"
    assert question_text(f"<@{BOT_USER_ID}|veileder>", BOT_USER_ID) == ""


async def test_without_a_response_url_the_thanks_come_as_an_ephemeral_message(slack):
    await slack.send.event(dm(PRESS, STAFF))
    await slack.settle()
    [post] = slack.fake.posted()
    message = {"type": "message", "ts": "1700000002.000100", "user": BOT_USER_ID, "blocks": post["blocks"]}
    await slack.send.click(buttons(post["blocks"])["feedback_helpful"], STAFF, message=message, channel=post["channel"], hook=None)
    await slack.settle()
    [thanks] = slack.fake.called("chat.postEphemeral")
    assert (thanks["channel"], thanks["user"], thanks["text"]) == (post["channel"], STAFF, slack_text("thanks_helpful", "nb"))


async def test_an_answer_given_by_another_replica_can_still_be_shared(settings, engine, fake_slack):
    """Two bot replicas behind one URL: the share click may reach the one that didn't answer."""
    client_a, replica_a = await serve(slack_services(settings, engine, fake_slack), fake_slack)
    client_b, replica_b = await serve(slack_services(settings, engine, fake_slack), fake_slack)
    try:
        await replica_a.send.command(PRESS, STAFF)
        await replica_a.settle()
        [private] = fake_slack.hook_messages("command")
        await replica_b.send.click(buttons(private["blocks"])["share_answer"], STAFF, ephemeral=True, hook="share")
        await replica_b.settle()
    finally:
        await client_a.close()
        await client_b.close()
    shared, removed = fake_slack.hook_messages("share")
    assert shared["response_type"] == "in_channel"
    expected = engine.ask(PRESS, municipality=HOME, profile_role="employee")
    assert escape(expected.rule.citation.label()) in readable(shared["blocks"])
    assert removed["delete_original"] is True


async def test_veileder_serve_mounts_slack_next_to_the_other_endpoints(settings, engine, fake_slack):
    from bot.serve import create_web_app

    app = create_web_app(slack_services(settings, engine, fake_slack))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        slack = Slack(SlackSender(client, fake_slack), fake_slack, app[SLACK_FRONT_END], app[SLACK_FRONT_END].services)
        assert (await client.get("/healthz")).status == 200
        assert (await slack.send.post("{}", {"Content-Type": "application/json"})).status == 401
        assert (await slack.send.event(dm(PRESS, STAFF))).status == 200
        await slack.settle()
    assert len(fake_slack.posted()) == 1


async def test_a_workspace_mapped_to_no_municipality_is_told_whose_rules_answered(settings, engine, fake_slack):
    services = slack_services(settings, engine, fake_slack, municipality=None, slack_team_municipalities={})
    client, unmapped = await serve(services, fake_slack)
    try:
        await unmapped.send.event(dm(PRESS, STAFF))
        await unmapped.settle()
    finally:
        await client.close()
    expected = engine.ask(PRESS, profile_role="employee")
    assert expected.municipality_notice and expected.unchosen_among == ("asker", "baerum", "modum", "ostre-toten")
    [post] = unmapped.fake.posted()
    seen = readable(post["blocks"])
    assert folded(expected.municipality_notice) in seen
    assert escape(expected.municipality_name) in seen
    [row] = unmapped.logged()
    assert row.municipality == expected.municipality  # stored under the municipality whose rules answered

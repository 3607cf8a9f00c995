"""The Slack front end: staff ask in a DM, by @mention, in a thread or with `/veileder`.

slack-bolt receives Slack's requests (HTTP at `POST /slack/events`, or Socket Mode when an app
token is set); this module turns them into questions for the engine and posts the `Answer` as
rendered by `bot.slack.blocks`. Slack wants an acknowledgement within 3 seconds, so every
listener only acknowledges and starts a background task; the task does the slow work (the
asker's profile, the engine, the question log) and posts the result.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Coroutine, Hashable, Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.answering.answer import Answer
from bot.answering.language import detect_language
from bot.answering.questions import EmptyQuestion, QuestionError, clean_question
from bot.services import BotServices, error_reference
from bot.settings import Settings
from bot.texts import phrase
from bot.slack.blocks import (
    ACTION_HELPFUL,
    ACTION_NOT_HELPFUL,
    ACTION_SHARE,
    MAX_BUTTON_VALUE,
    answer_blocks,
    escape,
    help_blocks,
    roles_blocks,
)
from bot.slack.advisers import SlackAdvisers, ask_value, json_object
from knowledge.roles import role_from_title

if TYPE_CHECKING:  # pragma: no cover
    from bot.answering.role_map import RoleMap

log = logging.getLogger(__name__)

COMMAND = "/veileder"
EVENTS_PATH = "/slack/events"
SLACK_API_URL = "https://slack.com/api/"
WORKING_REACTION = "hourglass_flowing_sand"

REPEAT_SECONDS = 3600  # Slack retries an event for about an hour at most
SIGNATURE_SECONDS = 360  # a signature is only valid for 5 minutes (plus clock skew)
THREAD_SECONDS = 7 * 24 * 3600  # follow-ups in a thread the bot answered in are answered for a week
PROFILE_SECONDS = 600
ANSWERS_KEPT = 1000  # answers kept for "share in channel"
SHUTDOWN_SECONDS = 10

# Keywords of `/veileder <keyword>`, with the language to answer in.
HELP_WORDS = {"help": "en", "hjelp": "nb", "hjelp!": "nb", "?": "nb"}
ROLES_WORDS = {"roles": "en", "roller": "nb", "rolle": "nb"}
REINDEX_WORDS = {"reindex": "en", "reindekser": "nb"}

# Message subtypes that are someone writing (everything else is edits, joins, bots …).
_ASKING_SUBTYPES = {None, "file_share", "thread_broadcast"}


class Seen:
    """Keys seen recently, forgotten after `seconds` or when more than `size` are kept."""

    def __init__(self, seconds: float, size: int = 20_000) -> None:
        self.seconds = seconds
        self.size = size
        self._keys: OrderedDict[Hashable, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._keys and (len(self._keys) > self.size or next(iter(self._keys.values())) < now - self.seconds):
            self._keys.popitem(last=False)

    def add(self, key: Hashable) -> bool:
        """True the first time a key is seen (within the window)."""
        now = time.monotonic()
        self._expire(now)
        if key in self._keys:
            return False
        self._keys[key] = now
        return True

    def __contains__(self, key: Hashable) -> bool:
        self._expire(time.monotonic())
        return key in self._keys


class Reply(Protocol):
    """Where an answer goes: a conversation, or the slash command's private response."""

    async def start(self, working_text: str) -> None: ...

    async def finish(self, text: str, blocks: list[dict] | None = None) -> None: ...


class ConversationReply:
    """An answer posted in a channel, DM or thread; a reaction on the question shows it is being worked on."""

    def __init__(self, client: AsyncWebClient, channel: str, question_ts: str, thread_ts: str | None) -> None:
        self.client = client
        self.channel = channel
        self.question_ts = question_ts
        self.thread_ts = thread_ts
        self._reacted = False

    async def start(self, working_text: str) -> None:
        try:
            await self.client.reactions_add(channel=self.channel, timestamp=self.question_ts, name=WORKING_REACTION)
            self._reacted = True
        except SlackApiError as exc:  # no reaction is no reason not to answer
            log.info("could not add the working reaction: %s", exc.response.get("error"))

    async def finish(self, text: str, blocks: list[dict] | None = None) -> None:
        try:
            await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks)
        finally:
            if self._reacted:
                self._reacted = False
                try:
                    await self.client.reactions_remove(channel=self.channel, timestamp=self.question_ts, name=WORKING_REACTION)
                except SlackApiError as exc:
                    log.info("could not remove the working reaction: %s", exc.response.get("error"))


class ResponseUrlReply:
    """A private (ephemeral) reply through the interaction's response_url; the ack already said "working"."""

    def __init__(self, respond: AsyncRespond, *, replace: bool, thread_ts: str | None = None) -> None:
        self.respond = respond
        self.replace = replace
        self.thread_ts = thread_ts

    async def start(self, working_text: str) -> None:
        return None

    async def finish(self, text: str, blocks: list[dict] | None = None) -> None:
        response = await self.respond(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=self.replace, thread_ts=self.thread_ts
        )
        if response.status_code != 200:
            raise RuntimeError(f"response_url answered {response.status_code}: {response.body[:200]}")


class EphemeralReply:
    """A private message in a conversation (chat.postEphemeral), when there is no response_url."""

    def __init__(self, client: AsyncWebClient, channel: str, user: str, thread_ts: str | None) -> None:
        self.client, self.channel, self.user, self.thread_ts = client, channel, user, thread_ts

    async def start(self, working_text: str) -> None:
        return None

    async def finish(self, text: str, blocks: list[dict] | None = None) -> None:
        await self.client.chat_postEphemeral(channel=self.channel, user=self.user, text=text, blocks=blocks, thread_ts=self.thread_ts)


def api_base_url(settings: Settings) -> str:
    """The Slack Web API base URL (SLACK_API_URL for tests and proxies), with the trailing slash the SDK needs."""
    url = settings.slack_api_url or SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def question_text(text: str | None, bot_user_id: str | None) -> str:
    """The question as typed: the bot's mention removed and Slack's markup turned back into plain text."""
    text = text or ""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = re.sub(r"^\s*(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*)+", " ", text)  # a leading mention is always addressed to us
    text = re.sub(r"<(?:https?|mailto):[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<((?:https?|mailto):[^>]*)>", r"\1", text)
    text = re.sub(r"<#[A-Z0-9]+\|([^>]*)>", r"#\1", text)
    text = re.sub(r"<![^>]*>", " ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


async def _settled(task: asyncio.Future[None]) -> None:
    """Wait for `task`; its failure (e.g. no "working" reaction) is logged, never a reason not to answer."""
    try:
        await task
    except Exception as exc:  # noqa: BLE001
        log.info("could not show that the question is being worked on: %s", type(exc).__name__)


def _written_by_a_person(event: dict) -> bool:
    return bool(event.get("user")) and not event.get("bot_id") and event.get("subtype") in _ASKING_SUBTYPES


class SlackFrontEnd:
    """One bolt app and what it remembers between requests (repeats, threads, recent answers, profiles)."""

    def __init__(self, services: BotServices, client: AsyncWebClient | None = None) -> None:
        settings = services.settings
        self.services = services
        self.client = client or AsyncWebClient(token=settings.slack_bot_token, base_url=api_base_url(settings))
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))  # honour Retry-After
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret or "",
            # Listeners return at once (they only start tasks), so running them before the
            # response costs nothing and makes "acknowledged" mean "the work has started".
            process_before_response=True,
            name="veileder",
        )
        self.socket: AsyncSocketModeHandler | None = None
        self._socket_task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._requests = Seen(REPEAT_SECONDS)
        self._signatures = Seen(SIGNATURE_SECONDS)
        self._messages = Seen(REPEAT_SECONDS)
        self._threads = Seen(THREAD_SECONDS)
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._answer_client: AsyncWebClient | None = None  # made on the answer loop, see `web_client`
        self._profiles: dict[str, tuple[float, str | None]] = {}
        self._register()

    def _register(self) -> None:
        self.bolt.middleware(self._skip_repeats)
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.command(COMMAND)(self._on_command)
        self.bolt.action(re.compile(rf"^(?:{ACTION_HELPFUL}|{ACTION_NOT_HELPFUL})(?::.*)?$"))(self._on_feedback)
        self.bolt.action(ACTION_SHARE)(self._on_share)
        self.advisers = SlackAdvisers(self)
        self.advisers.register()

    # -- transport -------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        """`POST /slack/events`: bolt checks the signature (401 when missing, wrong or stale) and dispatches."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "0")
        if not (timestamp.isascii() and timestamp.isdigit() and request.headers.get("X-Slack-Signature", "").isascii()):
            return web.json_response({"error": "invalid request signature"}, status=401)  # bolt would fail with a 500
        bolt_response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    def web_client(self) -> AsyncWebClient:
        """The Web API client for the running loop: on the services' answer loop one of its own that
        keeps its connections open (an aiohttp session made there), so an answer's four calls
        (reaction, profile, post, reaction) don't each open a connection; elsewhere `self.client`."""
        answer_loop = self.services.answer_loop
        if answer_loop is None or not answer_loop.is_current():
            return self.client
        if self._answer_client is None or self._answer_client.session is None or self._answer_client.session.closed:
            base = self.client
            session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=base.timeout), trust_env=base.trust_env_in_session
            )
            self._answer_client = AsyncWebClient(
                token=base.token, base_url=base.base_url, timeout=base.timeout, ssl=base.ssl, proxy=base.proxy,
                session=session, headers=dict(base.headers), retry_handlers=list(base.retry_handlers),
            )
        return self._answer_client

    async def _close_answer_client(self) -> None:
        client, self._answer_client = self._answer_client, None
        answer_loop = self.services.answer_loop
        if client is None or client.session is None or answer_loop is None:
            return
        try:  # on the loop it was made on
            await asyncio.wait_for(answer_loop.run(client.session.close()), SHUTDOWN_SECONDS)
        except Exception:  # noqa: BLE001 - the process is stopping anyway
            log.debug("could not close the answer loop's Slack session", exc_info=True)

    async def start_socket_mode(self, app_token: str) -> None:
        """Connect over Socket Mode in the background: a slow or failing connect never blocks startup."""
        self.socket = AsyncSocketModeHandler(self.bolt, app_token, web_client=self.client)
        self._socket_task = asyncio.create_task(self.socket.connect_async())

    async def drain(self) -> None:
        """Wait until every answer being worked on has been posted."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, _app: web.Application | None = None) -> None:
        """Stop Socket Mode and give answers being worked on a few seconds to finish."""
        if self.socket is not None:
            if self._socket_task is not None and not self._socket_task.done():
                self._socket_task.cancel()
            await self.socket.close_async()
            self.socket = None
        if self._tasks:
            done, pending = await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_SECONDS)
            for task in pending:
                task.cancel()
        await self._close_answer_client()

    def _spawn(self, work: Coroutine[Any, Any, None], what: str, *, answer: bool = False) -> None:
        """Run `work` in the background; an `answer` (the engine, then posting) on the services'
        answer loop, so it is posted while a burst of requests is still being received."""
        answer_loop = self.services.answer_loop if answer else None
        running = answer_loop.run(work) if answer_loop is not None else work

        async def guarded() -> None:
            try:
                await running
            except Exception:  # the work reports its own errors to the asker; this only keeps the log
                log.exception("Slack %s failed", what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _skip_repeats(self, req: AsyncBoltRequest, body: dict, next: Any) -> BoltResponse | None:
        """Answer each request once: Slack's retries (same event id) are acknowledged and dropped,
        and a signed request replayed verbatim within its five minutes is refused with a 401, on
        whichever replica it reaches (bolt has already checked the signature and its age).

        Both are claims in the shared state store, made together in one statement before the
        acknowledgement: the request's event id (or trigger id), and a hash of its timestamp and
        signature until the timestamp is too old for bolt to accept. A signature seen twice without
        Slack's retry header is a copy of a request, not Slack's."""
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        request_id = body.get("event_id") or body.get("trigger_id")
        request_key = f"slack:request:{request_id}" if request_id else None
        signature_key, signature_seconds = self._signature_claim(req) if req.mode == "http" else (None, None)
        wanted: dict[str, float | None] = {}
        replayed = signature_key is not None and not self._signatures.add(signature_key)
        if signature_key is not None and not replayed:
            wanted[signature_key] = signature_seconds
        repeated = request_key is not None and not self._requests.add(request_key)
        if request_key is not None and not repeated and not (replayed and retry is None):
            wanted[request_key] = None
        claimed = await self._claim_all(wanted)
        replayed = replayed or (signature_key is not None and signature_key not in claimed)
        repeated = repeated or (request_key is not None and request_key not in claimed)
        if replayed and retry is None:
            log.warning("refused a replayed Slack request")
            return BoltResponse(status=401, body={"error": "invalid request: replayed signature"})
        if repeated or (replayed and request_key is None):
            log.info("Slack request %s already handled (retry %s)", request_id, retry)
            return BoltResponse(status=200, body="")
        return await next()

    @staticmethod
    def _signature_claim(req: AsyncBoltRequest) -> tuple[str | None, float | None]:
        """The claim key of this exact signed request (a hash of timestamp and signature) and how long
        to hold it: until bolt would refuse the timestamp as stale anyway (it accepts 5 minutes either
        side of its clock; SIGNATURE_SECONDS leaves a minute of skew). (None, None) when unsigned."""
        timestamp = (req.headers.get("x-slack-request-timestamp") or ["0"])[0]
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if not signature:
            return None, None
        digest = hashlib.sha256(f"{timestamp}:{signature}".encode("ascii")).hexdigest()
        return f"slack:signature:{digest}", max(60.0, int(timestamp) + SIGNATURE_SECONDS - time.time())

    async def _claim_all(self, keys: dict[str, float | None]) -> set[str]:
        """`Claims.claim_all` in the shared state store; if the store can't be reached, every key
        counts as claimed (answering twice beats not at all)."""
        if not keys:
            return set()
        try:
            return await self.services.claims.claim_all_async(keys)
        except Exception as exc:  # noqa: BLE001
            log.warning("could not claim %s in the shared state store (%s); answering anyway", ", ".join(keys), type(exc).__name__)
            return set(keys)

    async def _claim(self, key: str, seconds: float | None = None) -> bool:
        """Claim `key` in the shared state store, so a retry that reaches another replica (or this one
        after a restart) is dropped; if the store can't be reached, answering twice beats not at all."""
        try:
            return await self.services.claims.claim_async(key, seconds)
        except Exception as exc:  # noqa: BLE001
            log.warning("could not claim %s in the shared state store (%s); answering anyway", key, type(exc).__name__)
            return True

    # -- who and where ---------------------------------------------------------------------

    def _municipality(self, team_id: str | None) -> str | None:
        settings = self.services.settings
        return settings.slack_team_municipalities.get(team_id or "", settings.municipality)

    async def _profile_title(self, user_id: str | None) -> str | None:
        """The asker's job title from their Slack profile (users.info), cached for a while."""
        if not user_id:
            return None
        cached = self._profiles.get(user_id)
        if cached and cached[0] > time.monotonic() - PROFILE_SECONDS:
            return cached[1]
        try:
            response = await self.web_client().users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for a user: %s", exc.response.get("error"))
            return None
        title = ((response.get("user") or {}).get("profile") or {}).get("title") or None
        self._profiles[user_id] = (time.monotonic(), title)
        return title

    # -- listeners (they only acknowledge and start the work) --------------------------------

    async def _on_message(self, event: dict, context: AsyncBoltContext) -> None:
        """A DM, or a follow-up in a thread the bot answered in; other channel chatter isn't for us."""
        if not _written_by_a_person(event):
            return
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        if event.get("channel_type") != "im" and not (thread_ts and await self._in_our_thread(channel, thread_ts)):
            return
        self._ask_in_conversation(event, context, thread_ts)

    async def _in_our_thread(self, channel: str, thread_ts: str) -> bool:
        """A thread the bot answered in, on this replica or another (the shared state store keeps it a week)."""
        if (channel, thread_ts) in self._threads:
            return True
        try:
            return await self.services.claims.held_async(f"slack:thread:{channel}:{thread_ts}")
        except Exception as exc:  # noqa: BLE001
            log.warning("could not look up a Slack thread in the shared state store (%s)", type(exc).__name__)
            return False

    async def _on_mention(self, event: dict, context: AsyncBoltContext) -> None:
        """An @mention in a channel: answered in a thread under the question."""
        if not _written_by_a_person(event):
            return
        self._ask_in_conversation(event, context, event.get("thread_ts") or event.get("ts"))

    def _ask_in_conversation(self, event: dict, context: AsyncBoltContext, thread_ts: str | None) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        # A mention in a thread arrives twice (app_mention and message): answer the message once.
        if not self._messages.add((channel, ts)):
            return
        if thread_ts and not channel.startswith("D"):
            self._threads.add((channel, thread_ts))  # follow-ups in this thread are for us too
        question = question_text(event.get("text"), context.bot_user_id)

        async def answer_once() -> None:
            reply = ConversationReply(self.web_client(), channel, ts, thread_ts)
            # The message itself, whichever event or replica brought it: answered once.
            if not await self._claim(f"slack:message:{channel}:{ts}"):
                return
            if thread_ts and not channel.startswith("D"):  # every replica answers follow-ups in this thread
                await self._claim(f"slack:thread:{channel}:{thread_ts}", THREAD_SECONDS)
            await self._answer(reply, question, context.user_id, context.team_id)

        self._spawn(answer_once(), "answer", answer=True)

    async def _on_command(self, ack: Any, command: dict, respond: AsyncRespond, context: AsyncBoltContext) -> None:
        """`/veileder <question>`, `/veileder help`, `/veileder roles`, `/veileder reindex`."""
        text = (command.get("text") or "").strip()
        keyword = text.lower()
        if not text or keyword in HELP_WORDS:
            blocks, fallback = help_blocks(HELP_WORDS.get(keyword, "nb"))
            await ack(text=fallback, blocks=blocks, response_type="ephemeral")
        elif keyword in ROLES_WORDS:
            await ack()
            self._spawn(self._show_roles(respond, context.user_id, ROLES_WORDS[keyword], context.team_id), "roles")
        elif keyword in REINDEX_WORDS:
            language = REINDEX_WORDS[keyword]
            if not self.services.is_admin(context.user_id):
                await ack(text=phrase("reindex_refused", language), response_type="ephemeral")
            elif self.services.reindex is None:
                await ack(text=phrase("reindex_unavailable", language), response_type="ephemeral")
            else:
                await ack(text=phrase("reindex_started", language), response_type="ephemeral")
                self._spawn(self._reindex(respond, context.team_id, language), "reindex")
        else:
            await ack(text=phrase("working", detect_language(text[:2000])), response_type="ephemeral")
            reply = ResponseUrlReply(respond, replace=True)
            question = question_text(text, context.bot_user_id)
            self._spawn(self._answer(reply, question, context.user_id, context.team_id, share=True), "answer", answer=True)

    async def _on_feedback(self, ack: Any, action: dict, body: dict, respond: AsyncRespond | None, context: AsyncBoltContext) -> None:
        await ack()
        self._spawn(self._feedback(action, body, respond, context.user_id), "feedback")

    async def _on_share(self, ack: Any, action: dict, respond: AsyncRespond, context: AsyncBoltContext) -> None:
        await ack()
        self._spawn(self._share(action.get("value") or "", respond, context.user_id, context.team_id), "share")

    # -- the work ----------------------------------------------------------------------------

    async def _answer(
        self,
        reply: Reply,
        question: str,
        user_id: str | None,
        team_id: str | None,
        *,
        share: bool = False,
    ) -> None:
        """Ask the engine and post its answer; a question it can't take gets its message, anything else an apology."""
        language = detect_language(question[:2000])
        try:
            clean_question(question, self.services.settings.max_question_chars)
        except EmptyQuestion:
            await reply.finish(phrase("empty", language))
            return
        except QuestionError as exc:
            await reply.finish(escape(str(exc)))
            return
        # "working" is shown while the answer is worked on, not before it: under a burst each round
        # trip to Slack waited for would delay every answer behind it
        working = asyncio.ensure_future(reply.start(phrase("working", language)))
        try:
            title = await self._profile_title(user_id)
            answer = await self.services.ask(question, municipality=self._municipality(team_id), profile_role=role_from_title(title))
            await _settled(working)  # shown before the answer, so it is taken away after it
            question_id = self.services.log.new_question_id()
            share_value = self._remember(answer, question_id) if share else None
            blocks, text = answer_blocks(answer, question_id, share_value=share_value, ask_value=self._ask_value(answer, question_id))
            await reply.finish(text, blocks)
            await self._record(user_id, answer, question_id)  # once posted: the asker doesn't wait for the log
        except QuestionError as exc:
            await _settled(working)
            await reply.finish(escape(str(exc)))
        except Exception:
            await _settled(working)
            await reply.finish(self._apology(language, "answering a question"))

    async def _record(self, user_id: str | None, answer: Answer, question_id: str) -> None:
        """Log the answered question under the id its feedback buttons carry; if the log can't be
        written the asker already has the answer, and a later click on its buttons is told the
        question isn't found (`feedback_unknown`)."""
        try:
            await self.services.log.record_question_async("slack", user_id, answer, question_id)
        except Exception:
            log.exception("could not record a Slack question")

    def _ask_value(self, answer: Answer, question_id: str | None) -> str | None:
        """The "ask an adviser" button's value, when the answer's municipality has an advisers' channel in Slack."""
        config = self.services.settings.advisers_for(answer.municipality)
        return ask_value(answer, question_id) if config is not None and config.slack_channel else None

    def _remember(self, answer: Answer, question_id: str | None) -> str | None:
        """Keep the answer for its "share in channel" button; the button's value finds it again."""
        key = question_id or uuid.uuid4().hex
        self._answers[key] = answer
        while len(self._answers) > ANSWERS_KEPT:
            self._answers.popitem(last=False)
        value = json.dumps({"key": key, "question_id": question_id, "question": answer.question}, ensure_ascii=False)
        return value if len(value) <= MAX_BUTTON_VALUE else json.dumps({"key": key, "question_id": question_id})

    async def _share(self, value: str, respond: AsyncRespond, user_id: str | None, team_id: str | None) -> None:
        """Post the asker's private answer in the channel, then remove the private copy."""
        data = json_object(value)
        key = str(data.get("key") or "")
        answer = self._answers.get(key)
        language = answer.language if answer else detect_language(str(data.get("question") or ""))
        private = ResponseUrlReply(respond, replace=False)
        try:
            if answer is None and data.get("question"):  # answered by another replica, or before a restart
                title = await self._profile_title(user_id)
                answer = await self.services.ask(
                    str(data["question"]), municipality=self._municipality(team_id), profile_role=role_from_title(title)
                )
            if answer is None:
                await private.finish(phrase("share_expired", language))
                return
            question_id = data.get("question_id")
            blocks, text = answer_blocks(answer, str(question_id) if question_id else None, shared_by=user_id)
            response = await respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
            if response.status_code != 200:
                raise RuntimeError(f"response_url answered {response.status_code}")
            await respond(delete_original=True)
        except QuestionError as exc:
            await private.finish(escape(str(exc)))
        except Exception:
            await private.finish(self._apology(language, "sharing an answer"))

    async def _feedback(self, action: dict, body: dict, respond: AsyncRespond | None, user_id: str | None) -> None:
        """Store a helpful / not helpful click and thank the person (only they see it)."""
        action_id = action.get("action_id") or ""
        data = json_object(action.get("value") or "")
        question_id = str(data.get("question_id") or action_id.partition(":")[2])
        language = str(data.get("language") or "nb")
        helpful = action_id.split(":", 1)[0] == ACTION_HELPFUL
        container = body.get("container") or {}
        thread_ts = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
        reply: Reply
        if respond is not None and respond.response_url:
            reply = ResponseUrlReply(respond, replace=False, thread_ts=thread_ts)
        else:
            reply = EphemeralReply(self.client, (body.get("channel") or {}).get("id", ""), user_id or "", thread_ts)
        try:
            stored = await asyncio.to_thread(self.services.log.record_feedback, question_id, helpful, user_id)
            key = "feedback_unknown" if not stored else "thanks_helpful" if helpful else "thanks_not_helpful"
            await reply.finish(phrase(key, language))
        except Exception:
            await reply.finish(self._apology(language, "storing feedback"))

    def _role_map(self, team_id: str | None) -> "RoleMap | None":
        municipality = self._municipality(team_id)
        if municipality is None:
            return None
        from bot.answering.role_map import build_role_map

        return build_role_map(self.services.engine.retriever().stored, municipality)

    async def _show_roles(self, respond: AsyncRespond, user_id: str | None, language: str, team_id: str | None = None) -> None:
        reply = ResponseUrlReply(respond, replace=False)
        try:
            title = await self._profile_title(user_id)
            role_map = await asyncio.to_thread(self._role_map, team_id)
            blocks, text = roles_blocks(language, title, role_from_title(title), role_map)
            await reply.finish(text, blocks)
        except Exception:
            await reply.finish(self._apology(language, "showing roles"))

    async def _reindex(self, respond: AsyncRespond, team_id: str | None, language: str) -> None:
        reply = ResponseUrlReply(respond, replace=True)
        assert self.services.reindex is not None
        try:
            summary = await self.services.reindex(self._municipality(team_id))
            await reply.finish(phrase("reindex_done", language, summary=escape(summary)))
        except Exception:
            await reply.finish(self._apology(language, "reindexing"))

    @staticmethod
    def _apology(language: str, what: str) -> str:
        """A short apology with a reference id for the asker; the traceback goes to the log under that id."""
        reference = error_reference()
        log.exception("Slack front end failed %s (reference %s)", what, reference)
        return phrase("error", language, ref=reference)


SLACK_FRONT_END = web.AppKey("slack", SlackFrontEnd)


def mount_slack(app: web.Application, services: BotServices) -> None:
    """Add `POST /slack/events` (Slack's Events API, slash command and interactivity requests);
    the front end is `app[SLACK_FRONT_END]`, shared with Socket Mode."""
    front = SlackFrontEnd(services)
    app[SLACK_FRONT_END] = front
    app.router.add_post(EVENTS_PATH, front.handle_http)
    app.on_cleanup.append(front.close)


async def start_socket_mode(app: web.Application, services: BotServices, front: SlackFrontEnd | None = None) -> None:
    """An aiohttp on_startup hook: receive Slack's events over Socket Mode when SLACK_APP_TOKEN is set.

    Uses `front`, else the app's HTTP front end (`app[SLACK_FRONT_END]`), else a new one; the
    connection is closed on the app's cleanup.
    """
    token = services.settings.slack_app_token
    if not token:
        return
    front = front or app.get(SLACK_FRONT_END) or SlackFrontEnd(services)
    if not app.on_cleanup.frozen and front.close not in app.on_cleanup:  # on_cleanup is still open during startup
        app.on_cleanup.append(front.close)
    await front.start_socket_mode(token)

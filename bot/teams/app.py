"""Microsoft Teams front end: `POST /api/messages` with the Microsoft 365 Agents SDK.

Staff ask in a personal chat, or by @mentioning the bot in a channel or group chat; the answer
comes back as an Adaptive Card in the same conversation. The asker's role is read from their
Entra profile (Microsoft Graph), the municipality from the tenant they are in.

Teams waits only a few seconds for the HTTP response to an activity and re-sends it otherwise, so
each turn only claims the activity (id + conversation id, in the shared state store: a re-sent or
repeated activity is acknowledged and dropped, on any replica) and starts the work; the answer is
sent as a proactive reply (the SDK's continue-conversation) when it is ready.

Configuration is the SDK's own, from the environment:
  CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID / CLIENTSECRET / TENANTID
and, for local development only (Agents Playground, Bot Framework Emulator):
  CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true
Without a SERVICE_CONNECTION the endpoint is not mounted.
"""
from __future__ import annotations

import asyncio
import html
import logging
import os
import re
import warnings
from typing import Any, Awaitable, Callable, Mapping

import jwt
from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    CardFactory,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import TypingOptions
from microsoft_agents.hosting.core.app.typing_indicator import TypingIndicator

from bot.answering.answer import Answer
from bot.graph.profile import GraphProfiles
from bot.answering.language import detect_language
from bot.answering.questions import QuestionError
from bot.services import BotServices, error_reference
from bot.texts import phrase
from bot.teams.advisers import ACTIONS as ADVISER_ACTIONS, TeamsAdvisers, ask_action
from bot.teams.auth import RefusalLimiter, SigningKeys
from bot.teams.cards import FEEDBACK, answer_card, answer_text
from bot.teams.connector_pool import PooledConnectorClients
from bot.teams.turn_gate import TurnGate
from bot.teams.markdown import escape_markdown

log = logging.getLogger(__name__)

PLATFORM = "teams"
_PAST_AUTH = web.RequestKey("veileder_teams_authorized", bool)  # the SDK's token check has passed
_REINDEX_RE = re.compile(r"^\s*/?(?:reindex|reindekser)\s*$", re.IGNORECASE)
_AT_TAG_RE = re.compile(r"</?at>", re.IGNORECASE)
# Typing is sent at once; while a slow answer is still being worked on it is repeated.
_KEEP_TYPING = TypingOptions(initial_delay_ms=3000, interval_ms=3000)
SHUTDOWN_SECONDS = 10

def _after(typing: asyncio.Future[Any]) -> Callable[[TurnContext, list[Activity], Callable[[], Awaitable[Any]]], Awaitable[Any]]:
    """A send handler holding a turn's messages until its "typing" has been sent (or has failed),
    so the asker never sees "typing" after the answer."""

    async def handler(_context: TurnContext, activities: list[Activity], send: Callable[[], Awaitable[Any]]) -> Any:
        if any(activity.type != ActivityTypes.typing for activity in activities):
            try:
                await typing
            except Exception as exc:  # noqa: BLE001 - no typing indicator is no reason not to answer
                log.info("could not show typing: %s", type(exc).__name__)
        return await send()

    return handler


def product_info_once() -> None:
    """Have the Agents SDK compute its User-Agent string once, not for every client it makes.

    The SDK makes a new connector client and user-token client for every turn — two per incoming
    activity, two more per proactive answer — and each asks `importlib.metadata` for the SDK's
    version, which stats every folder on sys.path. On the event loop, beside the engine's threads,
    that was a sixth of the time a burst of 200 activities took to take in. The string can't
    change while the process runs, so its modules get a function that returns it as computed once.
    """
    from microsoft_agents.hosting.core.connector import get_product_info
    from microsoft_agents.hosting.core.connector.client import connector_client, user_token_client

    product_info = get_product_info()
    for module in (connector_client, user_token_client):
        if callable(getattr(module, "get_product_info", None)):
            module.get_product_info = lambda: product_info


def mount_teams(app: web.Application, services: BotServices, environ: Mapping[str, str] | None = None) -> bool:
    """Add `POST /api/messages` when the Agents SDK connection is configured; False when it isn't.

    `services.graph_profiles` may hold a ready `GraphProfiles` (tests, managed identity);
    otherwise one is made from the Graph settings.
    """
    config = load_configuration_from_env(os.environ if environ is None else environ)
    if "SERVICE_CONNECTION" not in config.get("CONNECTIONS", {}):
        log.info("Teams is not configured (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__…): /api/messages not mounted")
        return False
    product_info_once()
    connections = MsalConnectionManager(**config)
    clients = PooledConnectorClients(connections)
    adapter = CloudAdapter(connection_manager=connections, channel_service_client_factory=clients)
    profiles = services.graph_profiles
    if profiles is None:
        profiles = GraphProfiles.from_settings(services.settings)
        app.on_cleanup.append(lambda _app: profiles.close())
    bot = TeamsBot(services, profiles, adapter)
    services.running["teams_bot"] = bot
    app.on_shutdown.append(lambda _app: bot.close())
    # the pooled connections close once the requests still being handled at shutdown have ended
    app.on_cleanup.append(lambda _app: clients.close())
    bot.advisers = TeamsAdvisers(services, adapter, connections.get_default_connection_configuration().CLIENT_ID)
    app[TEAMS_BOT] = bot
    agent_app = bot.application(connections)
    auth_config = connections.get_default_connection_configuration()
    if auth_config.ANONYMOUS_ALLOWED:
        log.warning("Teams endpoint accepts anonymous requests (ANONYMOUS_ALLOWED): for local development only")
        # Anonymous turns have no app id, and the SDK warns so at every message; said once above instead.
        logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(logging.ERROR)

    with warnings.catch_warnings():  # the SDK's JWT check reads its configuration under this plain key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = auth_config

    turns = TurnGate()

    async def process(request: web.Request) -> web.StreamResponse:
        request[_PAST_AUTH] = True
        return await turns.run(lambda: start_agent_process(request, agent_app, adapter))

    authorized = jwt_authorization_decorator(process)
    SigningKeys(jwks_url=services.settings.teams_jwks_url).install()
    refusals = RefusalLimiter()

    async def messages(request: web.Request) -> web.StreamResponse:
        wait = refusals.blocked(request.remote)
        if wait:
            return web.json_response({"error": "Too many refused requests."}, status=429, headers={"Retry-After": str(int(wait) + 1)})
        problem = token_problem(request.headers.get("Authorization"))
        if problem:
            log.warning("refused a request to /api/messages: %s", problem)
            refusals.refused(request.remote)
            return _unauthorized()
        try:
            response = await authorized(request)
        except Exception as exc:  # noqa: BLE001
            if request.get(_PAST_AUTH):
                raise
            # The SDK's validator lets some invalid tokens escape as exceptions (a 500); they are a 401.
            log.warning("refused a request to /api/messages: token validation failed (%s)", type(exc).__name__)
            response = _unauthorized()
        if response.status == 401:
            refusals.refused(request.remote)
        return response

    app.router.add_post("/api/messages", messages)
    return True


def token_problem(authorization: str | None) -> str | None:
    """Why a bearer token can't be valid, found without fetching signing keys; None to let the SDK decide.

    The SDK accepts only RS256 tokens whose header names a key id; anything else is refused here,
    so an unsigned or hand-made token never makes the server look up keys on the internet.
    """
    if authorization is None:
        return None  # the SDK answers 401, or lets it through when anonymous requests are allowed
    parts = authorization.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return "malformed Authorization header"
    try:
        header = jwt.get_unverified_header(parts[1])
    except jwt.PyJWTError:
        return "malformed token"
    if header.get("alg") != "RS256":
        return "token not signed with RS256"
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        return "token without a key id"
    return None


def _unauthorized() -> web.Response:
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401)


class TeamsBot:
    """Turns Teams activities into questions for the engine and renders the answers."""

    def __init__(self, services: BotServices, profiles: GraphProfiles, adapter: CloudAdapter) -> None:
        self.services = services
        self.profiles = profiles
        self.advisers: TeamsAdvisers | None = None  # set by mount_teams (it needs the adapter)
        self.adapter = adapter
        self._tasks: set[asyncio.Task] = set()

    async def drain(self) -> None:
        """Wait until every answer being worked on has been sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Give answers being worked on a few seconds to be sent (on shutdown)."""
        if self._tasks:
            _done, pending = await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_SECONDS)
            for task in pending:
                task.cancel()

    async def _first_time(self, activity: Activity) -> bool:
        """Claim the activity (conversation id + activity id) in the shared state store; False for a
        repeat, wherever the first one went. If the store can't be reached, answering twice beats not at all."""
        if not activity.id:
            return True
        conversation = activity.conversation.id if activity.conversation else ""
        try:
            return await self.services.claims.claim_async(f"teams:activity:{conversation}:{activity.id}")
        except Exception as exc:  # noqa: BLE001
            log.warning("could not claim a Teams activity in the shared state store (%s); answering anyway", type(exc).__name__)
            return True

    def _reply_later(
        self, context: TurnContext, work: Callable[[TurnContext, Activity], Awaitable[None]], *, answer: bool = False
    ) -> None:
        """Finish the turn now; run `work(proactive context, the asker's activity)` in a proactive
        turn of the same conversation, its messages replying to the asker's activity. An `answer`
        (the engine, then sending) runs on the services' answer loop, so it is sent while a burst
        of activities is still being received."""
        original = context.activity
        identity = context.identity
        continuation = original.get_conversation_reference().get_continuation_activity()
        continuation.id = original.id  # replies thread under the question, as a reply in the turn would

        async def callback(proactive: TurnContext) -> None:
            # the asker sees it is being worked on while it is, not before: under a burst each round
            # trip to the connector waited for would delay the answers behind it
            typing = asyncio.ensure_future(proactive.send_activity(Activity(type=ActivityTypes.typing)))
            proactive.on_send_activities(_after(typing))
            await work(proactive, original)

        async def run() -> None:
            try:
                await self.adapter.continue_conversation_with_claims(identity, continuation, callback)
            except Exception:  # noqa: BLE001 - the connector can't be reached; the log has it
                log.exception("could not send a Teams answer to conversation %s", original.conversation.id if original.conversation else "?")

        answer_loop = self.services.answer_loop if answer else None
        task = asyncio.ensure_future(answer_loop.run(run()) if answer_loop is not None else run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def application(self, connections: MsalConnectionManager) -> AgentApplication[TurnState]:
        options = ApplicationOptions(
            storage=MemoryStorage(),
            remove_recipient_mention=True,  # "<at>Veileder</at> Kan jeg …" → "Kan jeg …"
            start_typing_timer=False,  # we show typing only when there is something to work on
        )
        agent_app = AgentApplication[TurnState](options, connection_manager=connections)
        agent_app.activity(ActivityTypes.message)(self.on_message)
        agent_app.members_added()(self.on_members_added)
        agent_app.error(self.on_error)
        return agent_app

    # -- activities ---------------------------------------------------------------------------

    async def on_message(self, context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        if not await self._first_time(activity):
            log.info("Teams activity %s already handled: acknowledged and dropped", activity.id)
            return
        value = activity.value if isinstance(activity.value, dict) else None
        if value and value.get("action") == FEEDBACK:
            await self.on_feedback(context, value)
            return
        if value and value.get("action") in ADVISER_ACTIONS and self.advisers is not None:
            self._reply_later(context, self.on_adviser_action)
            return
        if not addressed_to_bot(activity):
            return
        text = clean_text(activity.text)
        if _REINDEX_RE.match(text):
            self._reply_later(context, self.on_reindex)
            return
        self._reply_later(context, lambda proactive, asked: self.on_question(proactive, text, asked), answer=True)

    async def on_question(self, context: TurnContext, text: str, activity: Activity) -> None:
        """Answer `activity` (the asker's message) in `context` (a proactive turn of its conversation)."""
        language = detect_language(text)
        try:
            async with TypingIndicator(context, typing_options=_KEEP_TYPING):
                role = await self.profiles.role(aad_object_id(activity))
                answer = await self.services.ask(text, municipality=self.municipality(activity), profile_role=role)
            question_id = self.services.log.new_question_id()
            await context.send_activity(answer_message(answer, question_id, self._ask_action(answer, question_id)))
            await self._record(activity, answer, question_id)  # once sent: the asker doesn't wait for the log
        except QuestionError as exc:
            await context.send_activity(plain_message(str(exc)))
        except Exception:  # noqa: BLE001 - the asker gets an apology, the log gets the details
            await self._apologise(context, language)

    async def _record(self, activity: Activity, answer: Answer, question_id: str) -> None:
        """Log the answered question under the id its feedback buttons carry; if the log can't be
        written the asker already has the answer, and a later click on its buttons is told the
        question isn't found (as in Slack)."""
        try:
            await self.services.log.record_question_async(PLATFORM, user_id(activity), answer, question_id)
        except Exception:  # noqa: BLE001 - the answer matters more than its log line
            log.exception("could not record a Teams question")

    async def on_adviser_action(self, context: TurnContext, activity: Activity) -> None:
        """"Ask an adviser", and the advisers' claim and reply (bot.teams.advisers): `activity` is
        the card action, `context` a proactive turn of its conversation."""
        assert self.advisers is not None
        value = activity.value if isinstance(activity.value, dict) else {}

        async def ask(asker: Activity, question: str) -> Answer:
            role = await self.profiles.role(aad_object_id(asker))
            return await self.services.ask(question, municipality=self.municipality(asker), profile_role=role)

        name = activity.from_property.name if activity.from_property else None
        try:
            await self.advisers.on_action(context, activity, ask, name, self.municipality(activity))
        except QuestionError as exc:
            await context.send_activity(str(exc))
        except Exception:  # noqa: BLE001
            await self._apologise(context, value.get("language") or ui_language(activity))

    async def on_feedback(self, context: TurnContext, value: dict[str, Any]) -> None:
        language = value.get("language") or ui_language(context.activity)
        try:
            helpful = value.get("helpful") in (True, "true", "True", 1)
            stored = await asyncio.to_thread(
                self.services.log.record_feedback, str(value.get("question_id") or ""), helpful, user_id(context.activity)
            )
            await context.send_activity(phrase("thanks" if stored else "feedback_unknown", language))
        except Exception:  # noqa: BLE001
            await self._apologise(context, language)

    async def on_reindex(self, context: TurnContext, activity: Activity) -> None:
        language = ui_language(activity)
        sender = activity.from_property
        if not (self.services.is_admin(aad_object_id(activity)) or self.services.is_admin(sender.id if sender else None)):
            await context.send_activity(phrase("reindex_refused", language))
            return
        if self.services.reindex is None:
            await context.send_activity(phrase("reindex_unavailable", language))
            return
        try:
            async with TypingIndicator(context, typing_options=_KEEP_TYPING):
                summary = await self.services.reindex(self.municipality(activity))
            await context.send_activity(plain_message(summary))
        except Exception:  # noqa: BLE001
            await self._apologise(context, language)

    async def on_members_added(self, context: TurnContext, _state: TurnState) -> None:
        """Say hello when the app is installed in a personal chat (channels get no greeting)."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in (activity.members_added or [])]
        if bot_id in added and _conversation_type(activity) == "personal":
            await context.send_activity(phrase("welcome", ui_language(activity)))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Anything that escaped the handlers: an apology with a reference, the details in the log."""
        await self._apologise(context, ui_language(context.activity), error)

    async def _apologise(self, context: TurnContext, language: str, error: BaseException | None = None) -> None:
        reference = error_reference()
        log.error("Teams turn failed [ref %s]", reference, exc_info=error or True)
        try:
            await context.send_activity(phrase("error", language, ref=reference))
        except Exception:  # noqa: BLE001 - the connector itself is failing; the log has it
            log.exception("could not send the apology [ref %s]", reference)

    def _ask_action(self, answer: Answer, question_id: str | None) -> dict[str, Any] | None:
        """"Ask an adviser" when the answer's municipality has an advisers' conversation in Teams."""
        config = self.services.settings.advisers_for(answer.municipality)
        return ask_action(answer, question_id) if self.advisers is not None and config is not None and config.teams else None

    # -- who and where ------------------------------------------------------------------------

    def municipality(self, activity: Activity) -> str | None:
        """The municipality configured for the asker's Entra tenant, else the default."""
        settings = self.services.settings
        tenant = tenant_id(activity)
        return settings.tenant_municipalities.get(tenant, settings.municipality) if tenant else settings.municipality


def answer_message(answer: Answer, question_id: str | None, ask: dict[str, Any] | None = None) -> Activity:
    """The reply: the answer card (with "ask an adviser" when `ask` is given); the verdict as the
    notification summary (Markdown-escaped, as Teams renders it); and the answer as plain text
    (`textFormat` plain) for clients that show no cards."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[CardFactory.adaptive_card(answer_card(answer, question_id, ask))],
        summary=escape_markdown(answer_text(answer, 200)),
        text=answer_text(answer, 600),
        text_format="plain",
    )


def plain_message(text: str) -> Activity:
    """A reply shown as written (file names, the asker's words): Teams reads `text` as Markdown by default."""
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


TEAMS_BOT = web.AppKey("teams_bot", TeamsBot)


def addressed_to_bot(activity: Activity) -> bool:
    """Personal chats always; channels and group chats only when the bot is @mentioned."""
    if _conversation_type(activity) in (None, "personal"):
        return True
    bot_id = activity.recipient.id if activity.recipient else None
    return any(m.mentioned is not None and m.mentioned.id == bot_id for m in activity.get_mentions())


def clean_text(text: str | None) -> str:
    """The question as typed: HTML entities decoded, other people's mention tags reduced to their names."""
    return _AT_TAG_RE.sub("", html.unescape(text or "")).replace("\xa0", " ").strip()


def aad_object_id(activity: Activity) -> str | None:
    sender = activity.from_property
    return sender.aad_object_id if sender else None


def user_id(activity: Activity) -> str | None:
    sender = activity.from_property
    return (sender.aad_object_id or sender.id) if sender else None


def tenant_id(activity: Activity) -> str | None:
    """The Entra tenant: channelData.tenant.id (Teams), else conversation.tenantId."""
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, dict) else getattr(data, "tenant", None)
    found = tenant.get("id") if isinstance(tenant, dict) else getattr(tenant, "id", None)
    if not found and activity.conversation is not None:
        found = activity.conversation.tenant_id
    return found or None


def ui_language(activity: Activity) -> str:
    """The Teams client's language for our own short messages (answers follow the question's language)."""
    locale = (activity.locale or "").lower()
    if locale.startswith("nn"):
        return "nn"
    if locale.startswith("en"):
        return "en"
    return "nb"


def _conversation_type(activity: Activity) -> str | None:
    return activity.conversation.conversation_type if activity.conversation else None

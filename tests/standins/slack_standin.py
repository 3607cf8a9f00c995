"""A local stand-in for Slack, speaking Slack's wire format on 127.0.0.1.

`FakeSlack` plays Slack's side of every conversation the bot has: the Web API (`/api/<method>`,
recording each call and answering with realistic JSON, and rejecting blocks Slack would reject),
the `response_url` hooks of slash commands and buttons (`/hooks/<name>`), and a Socket Mode
WebSocket (`/socket`) that greets with `hello` and records the app's acknowledgements.
`SlackSender` sends what Slack sends to the bot: events, slash commands and button clicks,
signed exactly as Slack signs them.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar
from urllib.parse import urlencode

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient
from slack_sdk.models.blocks import Block

SIGNING_SECRET = "7c1f7e6ad54e2c0b9e3d1b4f5a6c8d90"
BOT_TOKEN = "xoxb-1111-2222-veiledertest"
APP_TOKEN = "xapp-1-A0VEILEDER-3333-sockettest"
TEAM_ID = "T0OSTRETOTEN"
APP_ID = "A0VEILEDER"
BOT_USER_ID = "U0VEILEDER"
BOT_ID = "B0VEILEDER"

T = TypeVar("T")


@dataclass
class Call:
    """One Web API call as the bot made it."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Person:
    name: str
    title: str = ""
    is_bot: bool = False


@dataclass
class FakeSlack:
    """Slack's servers, as far as the bot sees them; everything it receives is recorded."""

    people: dict[str, Person] = field(default_factory=dict)
    team_id: str = TEAM_ID
    calls: list[Call] = field(default_factory=list)
    hooks: list[tuple[str, dict]] = field(default_factory=list)
    socket_received: list[dict] = field(default_factory=list)
    views: list[dict] = field(default_factory=list)  # modals opened with views.open
    delays: dict[str, float] = field(default_factory=dict)  # Web API method -> seconds it takes, as a slow Slack
    port: int = 0

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Event()
        self._ts = itertools.count(1)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> "FakeSlack":
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._web_api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    def response_url(self, name: str | None = None) -> str:
        return f"{self.base_url}/hooks/{name or uuid.uuid4().hex[:12]}"

    # -- what the bot did ------------------------------------------------------------------

    def called(self, method: str) -> list[dict]:
        return [c.args for c in self.calls if c.method == method]

    def posted(self) -> list[dict]:
        """Messages the bot posted (chat.postMessage), in order."""
        return self.called("chat.postMessage")

    def hook_messages(self, name: str | None = None) -> list[dict]:
        return [body for hook, body in self.hooks if name is None or hook == name]

    async def wait_until(self, check: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait (without polling sleeps) until `check()` is truthy, and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out; Slack saw calls {[c.method for c in self.calls]} and hooks {self.hooks}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _record(self) -> None:
        self._changed.set()

    # -- the Web API -----------------------------------------------------------------------

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        self.calls.append(Call(method, args, token))
        self._record()
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _api_auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": "https://ostre-toten-test.slack.com/",
            "team": "Østre Toten kommune",
            "user": "veileder",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, args: dict) -> dict:
        return {"ok": True, "url": self.socket_url}

    def _api_users_info(self, args: dict) -> dict:
        person = self.people.get(args.get("user", ""))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": args["user"],
                "team_id": self.team_id,
                "name": person.name.lower().replace(" ", "."),
                "real_name": person.name,
                "is_bot": person.is_bot,
                "tz": "Europe/Oslo",
                "profile": {"title": person.title, "real_name": person.name, "display_name": person.name.split()[0]},
            },
        }

    def _message_problem(self, args: dict) -> str | None:
        """What Slack would reject in a message: the same limits the real API enforces."""
        if not args.get("channel"):
            return "channel_not_found"
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not args.get("text") and not blocks:
            return "no_text"
        if len(args.get("text") or "") > 40_000:
            return "msg_too_long"
        if blocks is not None:
            problem = block_problem(blocks)
            if problem:
                return "invalid_blocks"
        return None

    def _message(self, args: dict, ts: str) -> dict:
        blocks = args.get("blocks")
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "text": args.get("text", ""), "ts": ts}
        if blocks:
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return message

    def _api_chat_postMessage(self, args: dict) -> dict:
        problem = self._message_problem(args)
        if problem:
            return {"ok": False, "error": problem}
        ts = self._next_ts()
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": self._message(args, ts)}

    def _api_chat_update(self, args: dict) -> dict:
        problem = self._message_problem(args)
        if problem or not args.get("ts"):
            return {"ok": False, "error": problem or "message_not_found"}
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", ""), "message": self._message(args, args["ts"])}

    def _api_chat_postEphemeral(self, args: dict) -> dict:
        problem = self._message_problem(args) or (None if args.get("user") else "user_not_in_channel")
        if problem:
            return {"ok": False, "error": problem}
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_views_open(self, args: dict) -> dict:
        """Open a modal: the view is checked with slack_sdk's View model (as Slack would reject it)."""
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        problem = view_problem(view)
        if problem:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [problem]}}
        opened = {**view, "id": f"V{next(self._ts):08d}", "team_id": self.team_id, "app_id": APP_ID, "state": {"values": {}}}
        self.views.append(opened)
        return {"ok": True, "view": opened}

    def _api_reactions_add(self, args: dict) -> dict:
        return {"ok": True} if args.get("name") and args.get("timestamp") else {"ok": False, "error": "invalid_arguments"}

    def _api_reactions_remove(self, args: dict) -> dict:
        return self._api_reactions_add(args)

    # -- response_url hooks ----------------------------------------------------------------

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.hooks.append((request.match_info["name"], body))
        self._record()
        if body.get("blocks") is not None and block_problem(body["blocks"]):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "debug_info": {"host": "applink-test", "approximate_connection_time": 18060}, "connection_info": {"app_id": APP_ID}}
        )
        self._record()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_received.append(json.loads(msg.data))
                    self._record()
        finally:
            self._sockets.remove(ws)
            self._record()
        return ws

    @property
    def connected(self) -> bool:
        return bool(self._sockets)

    async def send_envelope(self, envelope: dict) -> None:
        await self._sockets[-1].send_json(envelope)


def view_problem(view: Any) -> str | None:
    """Why Slack would reject this modal (slack_sdk's View model and its blocks); None if fine."""
    from slack_sdk.models.views import View

    if not isinstance(view, dict) or view.get("type") != "modal":
        return "not a modal view"
    problem = block_problem(view.get("blocks"))
    if problem:
        return problem
    try:
        View(**view).to_dict()
    except Exception as exc:
        return str(exc)
    return None


def block_problem(blocks: Any) -> str | None:
    """Why Slack would reject these blocks, checked with slack_sdk's own Block Kit models; None if fine."""
    if not isinstance(blocks, list) or not blocks:
        return "blocks must be a non-empty list"
    if len(blocks) > 50:
        return f"{len(blocks)} blocks (at most 50)"
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                return f"unknown block {block!r:.80}"
            parsed.to_dict()  # runs every validator, nested elements included
        except Exception as exc:  # SlackObjectFormationError and friends
            return f"{exc}"
        for element in block.get("elements", []):
            if element.get("type") == "button" and len(element.get("value", "")) > 2000:
                return "button value over 2,000 characters"
            if element.get("type") == "button" and len(element.get("action_id", "")) > 255:
                return "action_id over 255 characters"
    return None


# -- what Slack sends the bot ---------------------------------------------------------------


def slack_signature(body: str, timestamp: int | str, secret: str = SIGNING_SECRET) -> str:
    """v0 HMAC-SHA256 of 'v0:{timestamp}:{body}', as Slack signs every request."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(body: str, content_type: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(body, timestamp, secret),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


_counter = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_counter):06d}"


def event_callback(event: dict, *, team_id: str = TEAM_ID, event_id: str | None = None) -> dict:
    """An Events API envelope around one event, as Slack posts it."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": {"event_ts": event.get("ts"), "team": team_id, **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def dm(text: str, user: str, *, channel: str = "D0DMCHANNEL", ts: str | None = None, thread_ts: str | None = None, **extra: Any) -> dict:
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts or new_ts(), "channel_type": "im", "client_msg_id": str(uuid.uuid4()), **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def channel_message(text: str, user: str, *, channel: str = "C0KOMMUNIKASJON", ts: str | None = None, thread_ts: str | None = None) -> dict:
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts or new_ts(), "channel_type": "channel", "client_msg_id": str(uuid.uuid4())}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def mention(text: str, user: str, *, channel: str = "C0KOMMUNIKASJON", ts: str | None = None, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts or new_ts(), "client_msg_id": str(uuid.uuid4())}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


class SlackSender:
    """Sends the bot what Slack would: signed events, slash commands and button clicks."""

    def __init__(self, client: TestClient, fake: FakeSlack, path: str = "/slack/events") -> None:
        self.client = client
        self.fake = fake
        self.path = path

    async def post(self, body: str, headers: dict[str, str]):
        return await self.client.post(self.path, data=body.encode(), headers=headers)

    async def event(
        self, event: dict, *, team_id: str = TEAM_ID, event_id: str | None = None, retry: int | None = None, timestamp: int | None = None
    ):
        body = json.dumps(event_callback(event, team_id=team_id, event_id=event_id), ensure_ascii=False)
        headers = signed_headers(body, "application/json", timestamp=timestamp)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.post(body, headers)

    def command_body(self, text: str, user: str, *, channel: str = "C0KOMMUNIKASJON", team_id: str = TEAM_ID, hook: str = "command") -> str:
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": team_id,
                "team_domain": "ostre-toten-test",
                "channel_id": channel,
                "channel_name": "kommunikasjon",
                "user_id": user,
                "user_name": "ansatt",
                "command": "/veileder",
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(hook),
                "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
            }
        )

    async def command(self, text: str, user: str, **kwargs: Any):
        body = self.command_body(text, user, **kwargs)
        return await self.post(body, signed_headers(body, "application/x-www-form-urlencoded"))

    async def click(self, button: dict, user: str, **kwargs: Any):
        """Post a block_actions payload for one button, as Slack does when someone clicks."""
        body = self.click_body(button, user, **kwargs)
        return await self.post(body, signed_headers(body, "application/x-www-form-urlencoded"))

    def click_body(
        self,
        button: dict,
        user: str,
        *,
        message: dict | None = None,
        channel: str = "C0KOMMUNIKASJON",
        ephemeral: bool = False,
        team_id: str = TEAM_ID,
        hook: str | None = "click",
    ) -> str:
        """The form body of a block_actions payload for one button (`payload=<JSON>`)."""
        container: dict[str, Any] = {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "ansatt", "name": "ansatt", "team_id": team_id},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
            "team": {"id": team_id, "domain": "ostre-toten-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "kommunikasjon"},
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
            "state": {"values": {}},
        }
        if hook is not None:  # Slack leaves response_url out in a few surfaces
            payload["response_url"] = self.fake.response_url(hook)
        if message is not None and not ephemeral:
            payload["message"] = message
            container["message_ts"] = message["ts"]
            if message.get("thread_ts"):
                container["thread_ts"] = message["thread_ts"]
        return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


    async def submit_view(self, view: dict, user: str, values: dict[str, Any], *, team_id: str = TEAM_ID):
        """A view_submission payload for an opened modal, as Slack posts it when someone presses Submit.

        `values` maps each input block id to the text typed (or, for checkboxes, a list of the chosen values)."""
        state: dict[str, dict] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"])
            if element["type"] == "checkboxes":
                chosen = [o for o in element["options"] if o["value"] in (value or [])]
                state[block["block_id"]] = {element["action_id"]: {"type": "checkboxes", "selected_options": chosen}}
            else:
                state[block["block_id"]] = {element["action_id"]: {"type": element["type"], "value": value}}
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "ostre-toten-test"},
            "user": {"id": user, "username": "ansatt", "name": "ansatt", "team_id": team_id},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
            "view": {**view, "state": {"values": state}, "hash": uuid.uuid4().hex[:20]},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
        return await self.post(body, signed_headers(body, "application/x-www-form-urlencoded"))


def buttons(blocks: list[dict]) -> dict[str, dict]:
    """The buttons in a message, by the start of their action id (before any ':')."""
    found = {}
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found[element["action_id"].split(":", 1)[0]] = element
    return found


def all_text(blocks: list[dict]) -> str:
    """Every text in the blocks, joined: what a reader sees."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
            elif isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
    return "\n".join(parts)

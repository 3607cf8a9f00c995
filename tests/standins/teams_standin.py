"""Local stand-ins for what a Teams bot talks to: the Bot Framework connector and Microsoft Graph.

Both are small aiohttp apps on 127.0.0.1 that record what they receive. Activities are built as
Teams sends them (personal chat, channel @mention, Adaptive Card submit).
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from azure.core.credentials import AccessToken

BOT_ID = "28:veileder-bot-app-id"
BOT_NAME = "Veileder"
TENANT = "5f1c0b2e-0000-4000-8000-0000000a5e00"
OTHER_TENANT = "0b9e7d1a-0000-4000-8000-00000000beef"
KARI_AAD = "a1b2c3d4-0000-4000-8000-00000000ka01"  # unit leader
OLA_AAD = "a1b2c3d4-0000-4000-8000-00000000o1a2"  # no title in Entra
ADMIN_AAD = "a1b2c3d4-0000-4000-8000-0000000ad111"


class LocalServer:
    """An aiohttp app served on 127.0.0.1 for the length of a test."""

    def __init__(self, app: web.Application) -> None:
        self.server = TestServer(app, host="127.0.0.1")

    async def start(self) -> str:
        await self.server.start_server()
        return str(self.server.make_url("/"))

    async def stop(self) -> None:
        await self.server.close()


@dataclass
class Sent:
    """One activity the bot sent to the connector."""

    conversation_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    authorization: str | None
    peer: tuple[str, int] | None = None  # the bot's end of the connection it came over (address, port)

    @property
    def type(self) -> str:
        return self.activity.get("type", "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None


@dataclass
class FakeConnector:
    """The Bot Framework connector at a Teams `serviceUrl`: replies and new messages are recorded."""

    sent: list[Sent] = field(default_factory=list)
    updated: list[Sent] = field(default_factory=list)  # activities replaced in place (PUT), reply_to_id = the activity's id
    typing_delay: float = 0.0  # seconds a typing activity takes to be taken, as a slow connector
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: LocalServer | None = None
    url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._receive)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to_id}", self._receive)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._update)
        self._server = LocalServer(app)
        self.url = await self._server.start()
        return self.url

    async def stop(self) -> None:
        if self._server:
            await self._server.stop()

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "typing" and self.typing_delay:
            await asyncio.sleep(self.typing_delay)
        self.sent.append(
            Sent(
                conversation_id=request.match_info["conversation_id"],
                reply_to_id=request.match_info.get("reply_to_id"),
                activity=body,
                authorization=request.headers.get("Authorization"),
                peer=request.transport.get_extra_info("peername") if request.transport else None,
            )
        )
        return web.json_response({"id": f"bot-activity-{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        activity_id = request.match_info["activity_id"]
        self.updated.append(Sent(request.match_info["conversation_id"], activity_id, body, request.headers.get("Authorization")))
        return web.json_response({"id": activity_id})

    def messages(self) -> list[Sent]:
        return [s for s in self.sent if s.type == "message"]

    def typing(self) -> list[Sent]:
        return [s for s in self.sent if s.type == "typing"]


@dataclass
class FakeGraph:
    """Microsoft Graph's `/v1.0/users/{id}` for a few people; `delay` makes it slow."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)
    delay: float = 0.0
    _server: LocalServer | None = None
    url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/v1.0/users/{user_id}", self._user)
        self._server = LocalServer(app)
        self.url = (await self._server.start()).rstrip("/")
        return self.url

    async def stop(self) -> None:
        if self._server:
            await self._server.stop()
            self._server = None

    async def _user(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        user_id = request.match_info["user_id"]
        user = self.users.get(user_id)
        if user is None:
            error = {"code": "Request_ResourceNotFound", "message": f"Resource '{user_id}' does not exist."}
            return web.json_response({"error": error}, status=404)
        select = request.query.get("$select", "")
        fields = {k: v for k, v in user.items() if not select or k in select.split(",")}
        return web.json_response({"@odata.context": f"{self.url}/v1.0/$metadata#users(jobTitle,department)/$entity", **fields})


class LocalCredential:
    """An async TokenCredential that hands out a fixed token without asking any identity provider."""

    def __init__(self, token: str = "graph-test-token") -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []
        self.closed = False

    async def get_token(self, *scopes: str, **_kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed = True


def free_port_url() -> str:
    """A local URL nothing listens on: Graph "down"."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- activities as Teams sends them ------------------------------------------------------------

_activity_ids = itertools.count(1_700_000_000_001)


def _person(aad: str, name: str) -> dict[str, str]:
    return {"id": f"29:1{aad[-8:]}", "name": name, "aadObjectId": aad}


def personal_message(
    service_url: str,
    text: str,
    *,
    aad: str = KARI_AAD,
    name: str = "Kari Nordmann",
    tenant: str = TENANT,
    locale: str = "nb-NO",
) -> dict[str, Any]:
    """A message in the 1:1 chat with the bot."""
    return {
        "type": "message",
        "id": str(next(_activity_ids)),
        "timestamp": "2025-03-04T09:15:00.000Z",
        "localTimestamp": "2025-03-04T10:15:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": _person(aad, name),
        "conversation": {"conversationType": "personal", "tenantId": tenant, "id": f"a:1personal-{aad[-8:]}"},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "textFormat": "plain",
        "locale": locale,
        "text": text,
        "entities": [{"type": "clientInfo", "locale": locale, "country": "NO", "platform": "Web", "timezone": "Europe/Oslo"}],
        "channelData": {"tenant": {"id": tenant}},
    }


def channel_message(
    service_url: str,
    text: str,
    *,
    mention_bot: bool = True,
    aad: str = KARI_AAD,
    name: str = "Kari Nordmann",
    tenant: str = TENANT,
    conversation_type: str = "channel",
) -> dict[str, Any]:
    """A post in a team channel (or a group chat) that @mentions the bot: `<at>Veileder</at> …`."""
    activity_id = str(next(_activity_ids))
    channel = "19:kommunikasjon0123456789@thread.tacv2"
    entities: list[dict[str, Any]] = [{"type": "clientInfo", "locale": "nb-NO", "country": "NO", "platform": "Windows"}]
    if mention_bot:
        text = f"<at>{BOT_NAME}</at> {text}"
        entities.insert(0, {"type": "mention", "text": f"<at>{BOT_NAME}</at>", "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    if conversation_type == "channel":
        conversation = {"isGroup": True, "conversationType": "channel", "tenantId": tenant, "id": f"{channel};messageid={activity_id}"}
        channel_data = {
            "teamsChannelId": channel,
            "teamsTeamId": "19:team0123456789@thread.tacv2",
            "channel": {"id": channel},
            "team": {"id": "19:team0123456789@thread.tacv2"},
            "tenant": {"id": tenant},
        }
    else:
        conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": tenant, "id": "19:groupchat0123@thread.v2"}
        channel_data = {"tenant": {"id": tenant}}
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": "2025-03-04T09:20:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": _person(aad, name),
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "textFormat": "plain",
        "locale": "nb-NO",
        "text": text,
        "entities": entities,
        "channelData": channel_data,
    }


def card_submit(service_url: str, answered: Sent, data: dict[str, Any], *, aad: str = KARI_AAD) -> dict[str, Any]:
    """A click on an Action.Submit button of a card the bot sent: a message carrying the action's data as `value`."""
    activity = personal_message(service_url, "", aad=aad)
    activity.pop("text")
    activity["conversation"]["id"] = answered.conversation_id
    activity["replyToId"] = "bot-activity-card"
    activity["value"] = data
    activity["channelData"] = {"tenant": {"id": TENANT}, "source": {"name": "message"}, "legacy": {"replyToId": "bot-activity-card"}}
    return activity


def app_installed(service_url: str, *, aad: str = KARI_AAD) -> dict[str, Any]:
    """conversationUpdate when a user adds the app in their personal scope."""
    activity = personal_message(service_url, "", aad=aad)
    for key in ("text", "textFormat", "entities"):
        activity.pop(key)
    activity["type"] = "conversationUpdate"
    activity["membersAdded"] = [{"id": BOT_ID}]
    return activity

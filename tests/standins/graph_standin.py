"""A SharePoint document library as Microsoft Graph serves it, on 127.0.0.1, for the sync tests.

It speaks the Graph JSON the real msgraph-sdk client reads: `/sites/{id}/drive`, driveItem delta
(`/drives/{id}/items/root/delta()`, then `@odata.nextLink` pages and an `@odata.deltaLink` of the
form `/drives/{id}/root/delta?token=…`), and `/drives/{id}/items/{id}/content` answering 302 to a
separate download host, as SharePoint does. Like SharePoint's delta it gives no paths and no cTag,
deleted items come without a name, and renaming a folder reports only the folder.

An App Service managed-identity endpoint hands out the token Graph expects, for code that makes
its own credential (the CLI). Faults on demand: 429 with Retry-After, 410 resync required, 500 on a
download. It runs in its own thread so synchronous code (`run_sync`, the CLI) can use it.
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "graph-test-token"  # what tests.standins.teams_standin.LocalCredential hands out
IDENTITY_HEADER = "local-identity-secret"
SITE_ID = "kommune.sharepoint.com,6f1c7e2a-0000-4000-8000-00000000517e,0b3e9a4c-0000-4000-8000-000000000eb0"
DRIVE_ID = "b!KmoNbXuD3kyqT0h0ZG9rdW1lbnRlcl9rb21tdW5pa2Fzam9u"
ROOT_ID = "01ROOTAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
_MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def quick_xor_hash(data: bytes) -> str:
    """OneDrive's QuickXorHash: bytes XORed into a 160-bit ring, 11 bits apart, then the length."""
    ring = 0
    mask = (1 << 160) - 1
    for i, byte in enumerate(data):
        shifted = byte << ((i * 11) % 160)
        ring ^= (shifted & mask) | (shifted >> 160)
    out = bytearray(ring.to_bytes(20, "little"))
    for i, b in enumerate(len(data).to_bytes(8, "little")):
        out[12 + i] ^= b
    return base64.b64encode(bytes(out)).decode()


@dataclass
class Item:
    id: str
    name: str
    parent: str | None
    folder: bool
    content: bytes = b""
    version: int = 1
    changed: int = 0  # sequence number of the last change
    deleted: bool = False


@dataclass
class Seen:
    """One request a stand-in received."""

    host: str  # "graph", "download" or "identity"
    method: str
    path: str  # with the query string
    authorization: str | None


@dataclass
class FakeSharePoint:
    """One site with one document library; edit it with put / rename / move / delete between syncs."""

    page_size: int = 3
    site_id: str = SITE_ID
    drive_id: str = DRIVE_ID
    requests: list[Seen] = field(default_factory=list)
    graph_url: str = ""
    download_url: str = ""
    _items: dict[str, Item] = field(default_factory=dict)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _throttle: list[int] = field(default_factory=list)  # Retry-After of the next delta answers
    _gone_below: int = 0  # delta tokens below this answer 410
    _failing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._items[ROOT_ID] = Item(ROOT_ID, "root", None, True, changed=next(self._seq))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []

    # -- the library ---------------------------------------------------------------------------

    def put(self, path: str, content: bytes) -> str:
        """Upload a file (folders are made as needed); uploading to an existing path makes a new version."""
        with self._lock:
            *folders, name = path.split("/")
            parent = self._folder(folders)
            existing = self._child(parent, name)
            if existing is not None:
                existing.content, existing.version, existing.changed = content, existing.version + 1, next(self._seq)
                return existing.id
            item = Item(self._new_id(), name, parent, False, content, changed=next(self._seq))
            self._items[item.id] = item
            return item.id

    def rename(self, path: str, new_name: str) -> None:
        with self._lock:
            item = self._at(path)
            item.name, item.changed = new_name, next(self._seq)

    def move(self, path: str, folder: str) -> None:
        with self._lock:
            item = self._at(path)
            item.parent, item.changed = self._folder([p for p in folder.split("/") if p]), next(self._seq)

    def delete(self, path: str) -> None:
        with self._lock:
            item = self._at(path)
            doomed = [item] + [i for i in self._items.values() if self._inside(i, item.id)]
            for each in doomed:
                each.deleted, each.changed = True, next(self._seq)

    # -- faults ------------------------------------------------------------------------------------

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` delta requests answer 429 Too Many Requests with Retry-After."""
        self._throttle.extend([retry_after] * times)

    def expire_delta_links(self) -> None:
        """Every deltaLink handed out so far answers 410 Gone (resync required)."""
        with self._lock:
            self._gone_below = next(self._seq)

    def fail_download(self, path: str) -> None:
        with self._lock:
            self._failing.add(self._at(path).id)

    def heal(self) -> None:
        self._failing.clear()

    # -- what was asked ----------------------------------------------------------------------------

    def delta_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.host == "graph" and "delta" in r.path]

    def downloads(self) -> list[Seen]:
        return [r for r in self.requests if r.host == "download"]

    def forget_requests(self) -> None:
        self.requests.clear()

    # -- serving -----------------------------------------------------------------------------------

    def __enter__(self) -> "FakeSharePoint":
        self.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="fake-sharepoint", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake SharePoint did not start")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None

    def _serve(self, ready: threading.Event) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        graph = web.Application()
        graph.router.add_get("/v1.0/sites/{site_id}/drive", self._site_drive)
        graph.router.add_get("/v1.0/drives/{drive_id}/items/root/delta()", self._delta)
        graph.router.add_get("/v1.0/drives/{drive_id}/root/delta", self._delta)
        graph.router.add_get("/v1.0/drives/{drive_id}/items/{item_id}/content", self._content)
        graph.router.add_get("/msi/token", self._identity_token)
        download = web.Application()
        download.router.add_get("/_layouts/15/download.aspx", self._download)
        self.graph_url = self._loop.run_until_complete(self._listen(graph))
        self.download_url = self._loop.run_until_complete(self._listen(download))
        ready.set()
        try:
            self._loop.run_forever()
        finally:
            for runner in self._runners:
                self._loop.run_until_complete(runner.cleanup())
            self._runners.clear()
            self._loop.close()

    async def _listen(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runners.append(runner)
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    # -- Graph ---------------------------------------------------------------------------------------

    def _seen(self, host: str, request: web.Request) -> None:
        self.requests.append(Seen(host, request.method, request.path_qs, request.headers.get("Authorization")))

    @staticmethod
    def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
        body = {"error": {"code": code, "message": message, "innerError": {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "request-id": "fake"}}}
        return web.json_response(body, status=status, headers=headers)

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        return None

    async def _site_drive(self, request: web.Request) -> web.Response:
        self._seen("graph", request)
        if (denied := self._unauthorised(request)) is not None:
            return denied
        if request.match_info["site_id"] != self.site_id:
            return self._error(404, "itemNotFound", "Requested site could not be found")
        return web.json_response({
            "@odata.context": f"{self.graph_url}/v1.0/$metadata#drives/$entity",
            "id": self.drive_id, "driveType": "documentLibrary", "name": "Dokumenter",
            "webUrl": "https://kommune.sharepoint.com/sites/kommunikasjon/Delte%20dokumenter",
        })

    async def _delta(self, request: web.Request) -> web.Response:
        self._seen("graph", request)
        if (denied := self._unauthorised(request)) is not None:
            return denied
        if request.match_info["drive_id"] != self.drive_id:
            return self._error(404, "itemNotFound", "The drive could not be found")
        if self._throttle:
            retry_after = self._throttle.pop(0)
            return self._error(429, "activityLimitReached", "The request has been throttled", {"Retry-After": str(retry_after)})
        token = request.query.get("token")
        skip = int(request.query.get("skip", "0"))
        with self._lock:
            if token is not None and int(token) < self._gone_below:
                return self._error(
                    410, "resyncRequired", "Resync required. Replace any local items with the server's version (including deletes).",
                    {"Location": f"{self.graph_url}/v1.0/drives/{self.drive_id}/root/delta"},
                )
            snapshot = int(request.query.get("snapshot", "0")) or next(self._seq)
            if token is None:
                changed = [i for i in self._items.values() if not i.deleted and self._alive(i)]
            else:
                changed = [i for i in self._items.values() if int(token) < i.changed < snapshot]
            changed.sort(key=lambda i: (i.id != ROOT_ID, i.changed))
            page = [self._json(i) for i in changed[skip: skip + self.page_size]]
        base = f"{self.graph_url}/v1.0/drives/{self.drive_id}/root/delta"
        body: dict[str, Any] = {"@odata.context": f"{self.graph_url}/v1.0/$metadata#Collection(driveItem)", "value": page}
        if skip + self.page_size < len(changed):
            since = f"token={token}&" if token is not None else ""
            body["@odata.nextLink"] = f"{base}?{since}snapshot={snapshot}&skip={skip + self.page_size}"
        else:
            body["@odata.deltaLink"] = f"{base}?token={snapshot}"
        return web.json_response(body)

    async def _content(self, request: web.Request) -> web.Response:
        self._seen("graph", request)
        if (denied := self._unauthorised(request)) is not None:
            return denied
        item = self._items.get(request.match_info["item_id"])
        if item is None or item.deleted or item.folder:
            return self._error(404, "itemNotFound", "The resource could not be found.")
        location = f"{self.download_url}/_layouts/15/download.aspx?UniqueId={item.id}&v={item.version}&tempauth=eyJ0eXAiOiJKV1Qi"
        return web.Response(status=302, headers={"Location": location})

    async def _download(self, request: web.Request) -> web.Response:
        self._seen("download", request)
        item = self._items.get(request.query.get("UniqueId", ""))
        if item is None or "tempauth" not in request.query:
            return web.Response(status=401, text="tempauth missing")
        if item.id in self._failing:
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(body=item.content, content_type=_MIME.get(_suffix(item.name), "application/octet-stream"))

    async def _identity_token(self, request: web.Request) -> web.Response:
        self._seen("identity", request)
        if request.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
            return web.json_response({"error": "invalid_request"}, status=400)
        return web.json_response({
            "access_token": TOKEN, "expires_on": str(int(time.time()) + 3600), "resource": request.query.get("resource"),
            "token_type": "Bearer", "client_id": "00000000-0000-4000-8000-00000000c11e",
        })

    # -- helpers -------------------------------------------------------------------------------------

    def _json(self, item: Item) -> dict[str, Any]:
        parent = {"driveType": "documentLibrary", "driveId": self.drive_id}
        if item.parent:
            parent["id"] = item.parent
        if item.deleted:
            return {"@odata.type": "#microsoft.graph.driveItem", "id": item.id, "parentReference": parent, "deleted": {"state": "deleted"}}
        data: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.driveItem",
            "id": item.id,
            "name": item.name,
            "eTag": f'"{{{item.id}}},{item.version}"',
            "createdDateTime": "2025-01-06T08:00:00Z",
            "lastModifiedDateTime": "2025-03-04T09:00:00Z",
            "webUrl": f"https://kommune.sharepoint.com/sites/kommunikasjon/Delte%20dokumenter/{item.name}",
            "parentReference": parent,
        }
        if item.id == ROOT_ID:
            data.update(root={}, folder={"childCount": sum(1 for i in self._items.values() if i.parent == ROOT_ID and not i.deleted)})
        elif item.folder:
            data.update(folder={"childCount": sum(1 for i in self._items.values() if i.parent == item.id and not i.deleted)}, size=0)
        else:
            data.update(
                size=len(item.content),
                file={"mimeType": _MIME.get(_suffix(item.name), "application/octet-stream"), "hashes": {"quickXorHash": quick_xor_hash(item.content)}},
            )
            data["@microsoft.graph.downloadUrl"] = f"{self.download_url}/_layouts/15/download.aspx?UniqueId={item.id}&tempauth=eyJ0eXAiOiJKV1Qi"
        return data

    def _new_id(self) -> str:
        return f"01KOMM{next(self._ids):028d}"

    def _child(self, parent: str, name: str) -> Item | None:
        return next((i for i in self._items.values() if i.parent == parent and i.name == name and not i.deleted), None)

    def _folder(self, names: list[str]) -> str:
        parent = ROOT_ID
        for name in names:
            child = self._child(parent, name)
            if child is None:
                child = Item(self._new_id(), name, parent, True, changed=next(self._seq))
                self._items[child.id] = child
            parent = child.id
        return parent

    def _at(self, path: str) -> Item:
        item = self._items[ROOT_ID]
        for name in path.split("/"):
            found = self._child(item.id, name)
            if found is None:
                raise KeyError(f"no {path} in the fake library")
            item = found
        return item

    def _inside(self, item: Item, folder_id: str) -> bool:
        parent = item.parent
        while parent is not None:
            if parent == folder_id:
                return True
            parent = self._items[parent].parent
        return False

    def _alive(self, item: Item) -> bool:
        return not any(self._items[p].deleted for p in self._parents(item))

    def _parents(self, item: Item) -> list[str]:
        out, parent = [], item.parent
        while parent is not None:
            out.append(parent)
            parent = self._items[parent].parent
        return out


def _suffix(name: str) -> str:
    return name[name.rfind("."):].lower() if "." in name else ""

"""An admin opens /admin on the running bot: the real app from `create_web_app` on 127.0.0.1, read in
headless Chromium (Debian's `chromium`) and over plain HTTP for the token rules."""
from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.admin.sync.state import SyncStateStore
from bot.store.setup import open_store
from bot.admin.crisis import CrisisStore
from bot.serve import create_web_app
from bot.services import BotServices
from bot.admin.question_log import QuestionLog

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "s3cret-admin-token"
PRESS = "Kan jeg uttale meg til pressen?"
LUNCH = "Hva er lunsjmenyen i kantina?"
SCRIPT = "<script>alert('x')</script> Kan vi svare avisen?"

SYNC_STATE = {
    "sharepoint-ostre-toten": {
        "municipality": "ostre-toten",
        "last_run": "2026-11-20T06:00:00+00:00",
        "ok": True,
        "summary": {"added": 1, "changed": 2, "removed": 0, "skipped": [{"path": "Strategi/utkast.pages", "reason": "unsupported file type"}]},
        "error": None,
        "delta_link": "https://graph.microsoft.com/v1.0/drives/b!x/root/delta?token=internal",
        "items": {"01ABC": {"name": "strategi.docx"}},
    },
    "folder-baerum": {"last_run": "2026-11-21T06:00:00+00:00", "ok": False, "summary": {"added": 0, "changed": 0, "removed": 0, "skipped": []}, "error": "Graph 503"},
}


def admin_services(settings, engine, **overrides) -> BotServices:
    admin_settings = settings.model_copy(update={"admin_token": TOKEN, **overrides})
    log = QuestionLog.open(admin_settings)
    crisis = CrisisStore(open_store(admin_settings))
    return BotServices(admin_settings, engine, log, crisis)


def staff_asked(services: BotServices) -> None:
    """A few questions as the front ends log them, one marked not helpful; crisis mode on in Østre Toten."""
    for question in (PRESS, PRESS, LUNCH, SCRIPT):
        answer = services.engine.ask(question, municipality="ostre-toten")
        question_id = services.log.record_question("teams", "U1", answer)
    services.log.record_feedback(question_id, False, "U1")
    services.crisis.switch_on("ostre-toten", "Brann i rådhuset: all mediekontakt går via kommunikasjonssjefen.", "Kari Talsperson", by="ADMIN")


class Server:
    """The bot's web app, as `veileder serve` builds it, on a free port of 127.0.0.1."""

    def __init__(self, services: BotServices) -> None:
        self.server = TestServer(create_web_app(services), host="127.0.0.1")
        self.url = ""

    async def start(self) -> "Server":
        await self.server.start_server()
        self.url = str(self.server.make_url("")).rstrip("/")
        return self

    async def stop(self) -> None:
        await self.server.close()


@pytest.fixture
async def bot(settings, engine):
    services = admin_services(settings, engine)
    staff_asked(services)
    SyncStateStore(services.database).write_sources(SYNC_STATE)  # as the sync records it
    server = await Server(services).start()
    yield server
    await server.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


# -- in a real browser ---------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed: apt-get install chromium")


async def chromium(url: str, tmp_path: Path, *extra: str) -> str:
    """What headless Chromium shows at `url` (the DOM after the page and its redirects have loaded)."""
    profile = tmp_path / f"chromium-{len(list(tmp_path.glob('chromium-*')))}"
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        f"--user-data-dir={profile}", *extra, url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return out.decode("utf-8", "replace")


@needs_chromium
async def test_an_admin_with_the_token_sees_index_sync_report_and_crisis_in_chromium(bot, tmp_path):
    dom = await chromium(f"{bot.url}/admin?token={TOKEN}", tmp_path, "--dump-dom")

    assert "Veileder – administrasjon" in dom
    assert "Indeksen" in dom and "Østre Toten kommune" in dom and "Bærum kommune" in dom and "hashing" in dom
    assert "sharepoint-ostre-toten" in dom and "Strategi/utkast.pages" in dom and "Graph 503" in dom
    assert "Spørsmål dokumentene ikke svarte på" in dom and LUNCH in dom and PRESS in dom
    assert "KRISEMODUS" in dom and "Kari Talsperson" in dom
    assert "&lt;script&gt;" in dom and "<script>" not in dom  # a question is text, never markup


@needs_chromium
async def test_without_the_token_chromium_gets_no_data(bot, tmp_path):
    dom = await chromium(f"{bot.url}/admin", tmp_path, "--dump-dom")
    assert "Ikke tilgang" in dom
    assert LUNCH not in dom and "Indeksen" not in dom and "KRISEMODUS" not in dom

    dom = await chromium(f"{bot.url}/admin?token=wrong", tmp_path, "--dump-dom")
    assert "Ikke tilgang" in dom and LUNCH not in dom


@needs_chromium
async def test_the_page_renders_as_a_picture(bot, tmp_path):
    shot = tmp_path / "admin.png"
    await chromium(f"{bot.url}/admin?token={TOKEN}", tmp_path, f"--screenshot={shot}", "--window-size=1280,2200", "--hide-scrollbars")
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # a drawn page, not a blank one


# -- the token rules over HTTP -------------------------------------------------------------------


async def test_without_a_configured_token_the_page_does_not_exist(settings, engine, http):
    server = await Server(admin_services(settings, engine, admin_token=None)).start()
    try:
        for path in ("/admin", f"/admin?token={TOKEN}", "/admin/status.json"):
            async with http.get(server.url + path, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                assert response.status == 404
                assert "slått av" in await response.text()
    finally:
        await server.stop()


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/admin", {}),
        ("/admin", {"Authorization": "Bearer wrong"}),
        ("/admin", {"Authorization": f"Basic {TOKEN}"}),
        ("/admin?token=wrong", {}),
        ("/admin", {"Cookie": f"veileder_admin={TOKEN}"}),  # the cookie holds an HMAC, not the token
        ("/admin/status.json", {}),
        ("/admin/status.json", {"Authorization": "Bearer wrong"}),
    ],
)
async def test_a_missing_or_wrong_token_gets_401_without_data(bot, http, path, headers):
    async with http.get(bot.url + path, headers=headers, allow_redirects=False) as response:
        body = await response.text()
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Ikke tilgang" in body and LUNCH not in body and "Kari Talsperson" not in body and "set-cookie" not in response.headers


async def test_a_bearer_token_opens_the_page_and_the_json(bot, http):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with http.get(f"{bot.url}/admin", headers=auth) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert LUNCH in await response.text()

    async with http.get(f"{bot.url}/admin/status.json?municipality=ostre-toten", headers=auth) as response:
        assert response.status == 200
        status = await response.json()
    assert status["index"]["model"] == "hashing" and status["index"]["documents"] == 5
    assert {m["key"] for m in status["index"]["municipalities"]} == {"asker", "baerum", "modum", "ostre-toten"}
    assert status["sync"]["folder-baerum"]["error"] == "Graph 503"
    assert status["sync"]["sharepoint-ostre-toten"]["summary"]["changed"] == 2
    assert "delta_link" not in status["sync"]["sharepoint-ostre-toten"]  # the sync's own bookkeeping stays private
    assert status["report"]["municipality"] == "ostre-toten"
    assert status["report"]["totals"] == {"questions": 4, "answered": 3, "refused": 1, "helpful": 0, "not_helpful": 1}
    assert status["report"]["unanswered"][0]["question"] == LUNCH
    assert status["crisis"]["ostre-toten"]["on"] is True


async def test_the_token_in_the_address_becomes_a_strict_httponly_cookie(bot, http):
    async with http.get(f"{bot.url}/admin?token={TOKEN}&municipality=baerum", allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/admin?municipality=baerum"  # the token leaves the address bar
        cookie = response.cookies["veileder_admin"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/admin"
    assert TOKEN not in cookie.value

    headers = {"Cookie": f"veileder_admin={cookie.value}"}
    async with http.get(f"{bot.url}/admin?municipality=baerum", headers=headers, allow_redirects=False) as response:
        assert response.status == 200
        page = await response.text()
    assert '<option value="baerum" selected>' in page and "KRISEMODUS" in page
    assert LUNCH not in page  # asked in Østre Toten, not in Bærum
    async with http.get(f"{bot.url}/admin/status.json", headers=headers) as response:
        assert response.status == 200


async def test_a_bad_date_is_a_friendly_400(bot, http):
    async with http.get(f"{bot.url}/admin?since=31.01.2026", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status == 400
        assert "er ikke en dato" in await response.text()


async def test_without_a_sync_the_page_says_so(settings, engine, http):
    server = await Server(admin_services(settings, engine)).start()
    try:
        async with http.get(f"{server.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            page = await response.text()
        assert response.status == 200
        assert "Ingen synkronisering er satt opp" in page and "Normal drift" in page
    finally:
        await server.stop()


@pytest.mark.parametrize(
    "header",
    [
        ("Authorization", b"Bearer \xff\xfe" + TOKEN.encode()),
        ("Authorization", b"Bearer " + TOKEN.encode() + b"\xc3"),
        ("Cookie", b"veileder_admin=\xff\xfe"),
        ("Cookie", b"\xe9t\xe9=1; veileder_admin=abc\x80"),
    ],
)
async def test_a_header_with_a_non_utf8_byte_is_a_401_not_a_500(bot, header):
    from tests.standins.raw_http import raw_request

    status, body = await raw_request(bot.url, "GET", "/admin/status.json", [header])

    assert status == 401
    assert LUNCH.encode() not in body


async def test_the_admin_sees_the_latest_syncs_of_every_replica(settings, engine, http):
    services = admin_services(settings, engine)
    runs = SyncStateStore(services.database)
    done = runs.start_run(None)
    runs.finish_run(done, True, "gen-20261130T010000-abcd1234", "rebuilt", None)
    runs.start_run("modum")  # a replica killed mid-build leaves its run unfinished
    server = await Server(services).start()
    try:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with http.get(f"{server.url}/admin/status.json", headers=auth) as response:
            status = await response.json()
        async with http.get(f"{server.url}/admin", headers=auth) as response:
            page = await response.text()
    finally:
        await server.stop()
    unfinished, finished = status["sync_runs"]
    assert unfinished["finished_at"] is None and unfinished["municipality"] == "modum"
    assert finished["ok"] is True and finished["generation"] == "gen-20261130T010000-abcd1234" and ":" in finished["holder"]
    assert "Siste kjøringer" in page and "gen-20261130T010000-abcd1234" in page and "Pågår (eller avbrutt)" in page

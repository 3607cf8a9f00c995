"""Real `veileder serve` replicas on 127.0.0.1 for the tests and the benchmark: each its own
process and data folder, all sharing one database and one index folder (the shared volume)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.standins.slack_standin import BOT_TOKEN, SIGNING_SECRET, event_callback, signed_headers

ENTRY = "import sys; from bot.cli.app import main; sys.argv[0] = 'veileder'; sys.exit(main())"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_env(root: Path, database_url: str, slack_api_url: str, *, model: str = "hashing", admins: str = "") -> dict[str, str]:
    """What every replica of one deployment shares: database, index folder, documents, platforms."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VEILEDER_", "SLACK_", "CONNECTIONS__", "GRAPH_"))}
    env.update(
        PYTHONPATH=str(REPO),
        HF_HUB_OFFLINE="1",
        VEILEDER_MODEL=model,
        VEILEDER_DATABASE_URL=database_url,
        VEILEDER_INDEX_DIR=str(root / "shared" / "index"),
        VEILEDER_DOCUMENTS_DIR=str(root / "shared" / "documents"),
        VEILEDER_MUNICIPALITY="ostre-toten",
        VEILEDER_ADMIN_USERS=admins,
        VEILEDER_THREADS="1",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api_url,
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED="true",
    )
    return env


@dataclass
class Replica:
    """One `veileder serve` process with its own data folder (model cache, salt) and port."""

    name: str
    env: dict[str, str]
    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    readiness: list[int] = field(default_factory=list)  # every /readyz status seen since the last start

    def __post_init__(self) -> None:
        self.data_dir = self.root / self.name
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Its own data folder, unless the deployment shares one (the benchmark shares the converted model).
        self.env = {"VEILEDER_DATA_DIR": str(self.data_dir), **self.env}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.data_dir / "serve.log", "ab")
        self.readiness = []
        self.process = subprocess.Popen(
            [sys.executable, "-c", ENTRY, "serve", "--port", str(self.port)], env=self.env, cwd=self.data_dir,
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()

    async def wait_ready(self, session: aiohttp.ClientSession, timeout: float = 60) -> dict:
        """Poll /readyz until 200 (recording every status seen); the body of the 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, f"{self.name} exited: {self.log_tail()}"
            try:
                async with session.get(f"{self.url}/readyz") as response:
                    self.readiness.append(response.status)
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} not ready after {timeout} s: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def cli(self, *args: str) -> subprocess.CompletedProcess:
        """`veileder ARGS…` with this replica's settings (an admin on its machine)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", ENTRY, *args, env=self.env, cwd=self.data_dir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        return subprocess.CompletedProcess(args, process.returncode or 0, out.decode(), err.decode())

    def log_tail(self, lines: int = 30) -> str:
        path = self.data_dir / "serve.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # -- what Slack and Teams send --------------------------------------------------------------

    async def slack_event(self, session: aiohttp.ClientSession, event: dict, *, event_id: str | None = None,
                          retry: int | None = None) -> tuple[int, float]:
        """Post a signed Events API request; (status, seconds until the acknowledgement)."""
        body = json.dumps(event_callback(event, event_id=event_id), ensure_ascii=False)
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        started = time.monotonic()
        async with session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response:
            await response.read()
            return response.status, time.monotonic() - started

    async def slack_form(self, session: aiohttp.ClientSession, body: str) -> int:
        return (await self.slack_post(session, body, signed_headers(body, "application/x-www-form-urlencoded")))[0]

    async def slack_post(self, session: aiohttp.ClientSession, body: str, headers: dict[str, str]) -> tuple[int, str]:
        """Post a request exactly as given (headers and all, e.g. one captured and replayed); (status, body)."""
        async with session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def teams_activity(self, session: aiohttp.ClientSession, activity: dict[str, Any]) -> tuple[int, float]:
        """Post an activity to /api/messages; (status, seconds until the HTTP response)."""
        started = time.monotonic()
        async with session.post(f"{self.url}/api/messages", json=activity) as response:
            await response.read()
            return response.status, time.monotonic() - started


def unique_dm_channel() -> str:
    return "D" + uuid.uuid4().hex[:10].upper()


class BackgroundLoop:
    """An event loop in a thread of its own, for the stand-ins: the test's own loop then only sends
    requests and reads responses, so a burst measures the replicas, not the stand-ins' work."""

    def __init__(self) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="standins", daemon=True)
        self.thread.start()

    def run(self, work):
        """Run the coroutine `work` on the background loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

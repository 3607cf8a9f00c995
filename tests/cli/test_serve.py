"""An operator starts `veileder serve` and reads, before anything else, where it listens and which
front ends are on (at which path) or off (and which setting turns them on); and a line when it stops."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp_path: Path, index: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("VEILEDER_", "SLACK_", "CONNECTIONS__", "GRAPH_"))
    }
    env.update(
        PYTHONPATH=str(ROOT), VEILEDER_MODEL="hashing", VEILEDER_INDEX_DIR=str(index),
        VEILEDER_DATA_DIR=str(tmp_path / "data"), **extra,
    )
    return env


@contextlib.contextmanager
def _serving(tmp_path: Path, index: Path, port: int, **extra: str) -> Iterator[subprocess.Popen]:
    """`veileder serve` on `port` (stdout and stderr as text pipes), killed on the way out if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.app", "serve", "--port", str(port)],
        cwd=tmp_path, env=_environment(tmp_path, index, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _interrupt(process: subprocess.Popen) -> str:
    """Stop it with Ctrl-C (SIGINT), as an operator does; what it printed after that."""
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    return rest


def _serve(tmp_path: Path, index: Path, **extra: str) -> tuple[list[str], str, int]:
    """Start `veileder serve` on a free port, read its start lines, ask /healthz, stop it with Ctrl-C
    (SIGINT); return (start lines, everything printed after them, the port)."""
    port = _free_port()
    with _serving(tmp_path, index, port, **extra) as process:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"veileder serve ended early: {process.stderr.read()}")
            lines.append(line.rstrip("\n"))
            if line.startswith("Stop with"):
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200  # the address printed is the one that answers
        while time.monotonic() < deadline:  # the model loads in the background; wait until it answers
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10):
                    break
            except urllib.error.HTTPError:
                time.sleep(0.2)
        rest = _interrupt(process)
    return lines, rest, port


def test_an_operator_sees_the_address_and_which_front_ends_are_off_and_why(tmp_path, built_index):
    lines, rest, port = _serve(tmp_path, built_index)
    address = f"http://127.0.0.1:{port}"
    assert lines[0] == f"Veileder is serving at {address}"
    text = "\n".join(lines)
    assert "Slack        off: Events API (/slack/events) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in text
    assert "Slack        off: Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN" in text
    assert "Teams        off: /api/messages needs CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID" in text
    assert "Admin page   off: /admin needs VEILEDER_ADMIN_TOKEN" in text
    assert f"Health       on:  {address}/healthz (alive), {address}/readyz (ready for questions)" in text
    assert "Ready: model loaded, index gen-" in rest
    assert rest.rstrip().endswith(f"Veileder stopped ({address}).")


def test_configured_front_ends_are_listed_with_their_paths(tmp_path, built_index):
    lines, rest, port = _serve(
        tmp_path, built_index,
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret", SLACK_API_URL="http://127.0.0.1:9/api/",
        VEILEDER_ADMIN_TOKEN="admin-token",
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID="00000000-0000-0000-0000-000000000001",
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET="secret",
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID="00000000-0000-0000-0000-000000000002",
    )
    address = f"http://127.0.0.1:{port}"
    text = "\n".join(lines)
    assert f"Slack        on:  Events API at {address}/slack/events" in text
    assert "Slack        off: Socket Mode needs SLACK_APP_TOKEN" in text  # only what is missing is named
    assert f"Teams        on:  {address}/api/messages" in text
    assert f"Admin page   on:  {address}/admin" in text
    assert "admin-token" not in text and "xoxb-test" not in text  # secrets are never printed
    assert f"Veileder stopped ({address})." in rest


def test_the_bot_is_ready_only_when_the_first_question_has_nothing_left_to_load(settings):
    """`veileder serve` loads the model, the index, the language detector and the word maps before
    /readyz turns 200, so the first staff member's answer doesn't pay for them (about 2 s)."""
    from bot.answering import language
    from bot.answering.engine import AnswerEngine
    from bot.answering.wordmaps import word_map
    from bot.serve import load_engine
    from index.embedder import HashingEmbedder

    word_map.cache_clear()
    language._detector.cache_clear()
    engine = load_engine(lambda _db: AnswerEngine(settings, embedder=HashingEmbedder()), database=None)
    assert engine.retriever().municipalities
    assert language._detector.cache_info().currsize == 1
    assert word_map.cache_info().currsize == 2  # nynorsk and English


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_with_an_engine_process_serve_is_ready_once_it_has_loaded_and_leaves_none_behind(tmp_path, built_index):
    """VEILEDER_ENGINE_PROCESSES=1: the engine answers in a process of its own, started before /readyz
    turns 200 and stopped with the server (Ctrl-C), leaving no process behind."""
    port = _free_port()
    with _serving(tmp_path, built_index, port, VEILEDER_ENGINE_PROCESSES="1") as process:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"veileder serve ended early: {process.stderr.read()}")
            if line.startswith("Ready:"):
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
            assert response.status == 200
        engines = [c for c in _children(process.pid) if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(engines) == 1
        rest = _interrupt(process)
    assert "Veileder stopped" in rest
    assert not [pid for pid in engines if Path(f"/proc/{pid}").exists()]

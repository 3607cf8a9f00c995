"""An operator runs `veileder serve` and sees what it does: INFO lines, as text or as JSON lines."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_stderr(env_extra: dict[str, str], tmp_path: Path, built_index: Path, wait_for: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VEILEDER_MODEL": "hashing",
        "VEILEDER_DATA_DIR": str(tmp_path / "data"),
        "VEILEDER_INDEX_DIR": str(built_index),
        **env_extra,
    }
    for name in list(env):
        if name.startswith(("CONNECTIONS__", "SLACK_")):
            del env[name]
    log_file = tmp_path / "serve.log"
    with log_file.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from bot.cli.app import main; sys.argv[0]='veileder'; main()", "serve", "--port", str(_free_port())],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 60
            while wait_for not in log_file.read_text() and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return log_file.read_text()


def test_serve_logs_at_info(tmp_path, built_index):
    stderr = _serve_stderr({}, tmp_path, built_index, "Teams is not configured")
    assert " INFO bot.teams.app: Teams is not configured" in stderr


def test_serve_writes_json_log_lines_when_asked(tmp_path, built_index):
    stderr = _serve_stderr({"VEILEDER_LOG_FORMAT": "json"}, tmp_path, built_index, "Teams is not configured")
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    teams = [r for r in records if "Teams is not configured" in r["message"]]
    assert teams and teams[0]["level"] == "INFO" and teams[0]["logger"] == "bot.teams.app" and "time" in teams[0]
    assert all(line.startswith("{") for line in stderr.splitlines() if line.strip())


def test_other_commands_log_warnings_only():
    from bot.cli.logs import level_for

    assert level_for("ask") == level_for("index") == 30 and level_for("serve") == 20

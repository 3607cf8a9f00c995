"""Reading each file in a worker process with a time and a memory limit.

A malformed or hostile file (a decompression bomb, a PDF whose objects refer to themselves) can
make a reader run for ever or take all memory. The reader therefore runs in a child process forked
from a small server process that has the readers preloaded (multiprocessing's "forkserver"): a
fork costs milliseconds, and the child inherits nothing of the indexing process — not its model,
not its threads. The child's address space is capped (RLIMIT_AS) and the parent kills it when the
time is up. Either way the file is reported by name with the reason and the other files go on.

As with any use of multiprocessing, a script that indexes must keep its top-level code under
`if __name__ == "__main__":` (the `veileder` command and `python -m …` entry points do).
"""
from __future__ import annotations

import multiprocessing
import resource
import signal
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers import ExtractedText, extract_text


@dataclass(frozen=True)
class ReadLimits:
    """Per file: wall-clock seconds and bytes of memory (address space) its reader may use.

    The defaults (120 s, 1 GB) read a 300-page PDF or OCR a 40-page scan with room to spare;
    settings `VEILEDER_READ_TIMEOUT_SECONDS` and `VEILEDER_READ_MEMORY_MB` change them."""

    seconds: float = 120.0
    memory_bytes: int = 1024 * 1024 * 1024

    def describe(self) -> str:
        return f"{self.seconds:g} s, {self.memory_bytes // (1024 * 1024)} MB"


class LimitExceeded(UnreadableDocument):
    """The reader went over its time or memory limit, or crashed; the same file version is not retried."""


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["knowledge.readers"])
    return _CONTEXT


def _child(conn, path: str, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        result = ("ok", extract_text(Path(path)))
    except UnreadableDocument as exc:
        result = ("unreadable", exc.reason)
    except MemoryError:
        result = ("memory", "")
    except RecursionError:
        result = ("crash", "the file's structure nests without end (a self-referencing object)")
    except Exception as exc:  # a library's own error on a damaged file: report it, don't crash the index
        result = ("unreadable", f"could not be read ({type(exc).__name__}: {str(exc)[:200]})")
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", ""))
    finally:
        conn.close()


def _stopped(exitcode: int | None, limits: ReadLimits) -> str:
    """Why a worker died without an answer, as the admin reads it."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        if -exitcode in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL):
            return (
                f"the reader stopped ({name}), most likely over the {limits.memory_bytes // (1024 * 1024)} MB memory limit "
                "(a decompression bomb or an object that refers to itself), or the file is malformed"
            )
        return f"the reader stopped ({name})"
    return f"the reader stopped (exit code {exitcode}) without reading the file"


def extract_isolated(path: Path, limits: ReadLimits | None = None, name: str | None = None) -> ExtractedText:
    """`extract_text(path)` run in a worker process within `limits`.

    Raises UnreadableDocument for a file that can't be used, LimitExceeded (a subclass) when the
    reader ran out of time or memory or crashed; `name` is how the file is named in the message."""
    limits = limits or ReadLimits()
    name = name or str(path)
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_child, args=(sender, str(path), limits.memory_bytes), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            raise LimitExceeded(
                name, f"reading took longer than the {limits.seconds:g} s limit (a malformed or very complex file)"
            )
        try:
            kind, value = receiver.recv()
        except EOFError:
            worker.join(5)
            raise LimitExceeded(name, _stopped(worker.exitcode, limits)) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receiver.close()
    if kind == "ok":
        return value
    if kind == "memory":
        raise LimitExceeded(name, f"reading needed more than the {limits.memory_bytes // (1024 * 1024)} MB memory limit (a decompression bomb or a huge image)")
    if kind == "crash":
        raise LimitExceeded(name, value)
    raise UnreadableDocument(name, value)

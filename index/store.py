"""The index on disk: a folder of generations and a `CURRENT` pointer that is swapped atomically.

    index/
      CURRENT            → "gen-20261122T101500-ab12cd34"
      gen-…/manifest.json, passages.jsonl, rules.jsonl, vectors.npy, bm25/

A build writes a new generation into a temporary folder, renames it into place and only then
rewrites CURRENT (write + rename, atomic on POSIX). A build that fails leaves CURRENT — the index
that serves — untouched; readers never see a half-written generation. The previous generation
is kept so a reader that just resolved CURRENT can finish.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from knowledge.errors import VeilederError
from knowledge.files import exclusive_lock, write_atomically
from knowledge.catalog import Contact, Municipality
from knowledge.notes import AdviserNote
from knowledge.passages import Passage
from knowledge.rules import Rule

FORMAT_VERSION = 2
CURRENT = "CURRENT"
_KEEP_OLD = 1


class IndexError_(VeilederError):
    """Base for index problems (named to not shadow the builtin)."""


class IndexMissing(IndexError_):
    """No index has been built in this folder yet."""


class IndexCorrupt(IndexError_):
    """The index folder exists but can't be read; rebuilding fixes it."""


class IndexBusy(IndexError_):
    """Another build is running on the same index folder."""


@dataclass(frozen=True)
class IndexedDocument:
    """One document as a stored generation knows it (the manifest's "documents" entry)."""

    id: str
    municipality: str
    title: str | None
    period: str | None  # e.g. "2021–2023", as the catalog gives it
    superseded_by: str | None  # the id of the newer document, if any
    content_hash: str
    passages: int
    rules: int
    url: str | None = None  # where staff can open it (a SharePoint web URL or the catalog's url)

    @classmethod
    def from_manifest(cls, doc_id: str, entry: dict[str, Any]) -> "IndexedDocument":
        return cls(
            doc_id, entry.get("municipality", ""), entry.get("title"), entry.get("period"), entry.get("superseded_by"),
            entry.get("hash", ""), int(entry.get("passages", 0)), int(entry.get("rules", 0)), entry.get("url"),
        )


@dataclass
class StoredIndex:
    """Everything one generation holds, in memory."""

    path: Path
    manifest: dict[str, Any]
    passages: list[Passage]
    rules: list[Rule]
    vectors: np.ndarray
    rule_vectors: np.ndarray
    lexical: Any  # index.lexical.LexicalIndex
    municipalities: dict[str, Municipality]
    documents: dict[str, IndexedDocument]
    notes: list[AdviserNote] = dataclasses.field(default_factory=list)  # adviser notes, their own source type
    note_vectors: np.ndarray | None = None  # one row per note (None: the generation has no notes)

    def title_of(self, document_id: str) -> str:
        """The document's title, or its id when it has none (or isn't in this generation)."""
        doc = self.documents.get(document_id)
        return (doc.title if doc else None) or document_id

    def is_superseded(self, document_id: str) -> bool:
        doc = self.documents.get(document_id)
        return bool(doc and doc.superseded_by)

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    @property
    def generation(self) -> str:
        return self.path.name


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


def build_lock(index_dir: Path) -> contextlib.AbstractContextManager[None]:
    """One build at a time per index folder; a second one is told so instead of waiting silently."""
    return exclusive_lock(
        index_dir / ".lock", lambda: IndexBusy(f"another build is running on {index_dir}; try again when it has finished")
    )


def write_generation(index_dir: Path, write: Callable[[Path], None]) -> Path:
    """Write a new generation with `write(tmp_dir)` and make it current atomically; return its path.

    Called under `build_lock`: partial generations (`.tmp-*`) of a killed build are removed first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    # Builds hold the folder's build lock, so a partial generation found now was left by a killed build.
    for partial in index_dir.glob(".tmp-*"):
        shutil.rmtree(partial, ignore_errors=True)
    tmp = index_dir / f".tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        write(tmp)
        load_generation(tmp)  # never point CURRENT at something that doesn't load
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        final = index_dir / name
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_atomically(index_dir / CURRENT, name + "\n")
    _remove_old_generations(index_dir, keep=name)
    return final


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    # Oldest first by when each was written: names only have one-second resolution (then a random suffix).
    generations = sorted((p for p in index_dir.glob("gen-*") if p.name != keep), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for old in generations[: max(0, len(generations) - _KEEP_OLD)]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in index_dir.glob(".tmp-*"):
        if time.time() - tmp.stat().st_mtime > 3600:  # left behind by a killed build
            shutil.rmtree(tmp, ignore_errors=True)


def save_generation(
    directory: Path,
    manifest: dict[str, Any],
    passages: list[Passage],
    rules: list[Rule],
    vectors: np.ndarray,
    rule_vectors: np.ndarray,
    lexical: Any,
    notes: list[AdviserNote] = (),
    note_vectors: np.ndarray | None = None,
) -> None:
    with open(directory / "passages.jsonl", "w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(dataclasses.asdict(p), ensure_ascii=False) + "\n")
    with open(directory / "rules.jsonl", "w", encoding="utf-8") as f:
        for r in rules:
            f.write(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n")
    np.save(directory / "vectors.npy", vectors.astype(np.float32))
    np.save(directory / "rule_vectors.npy", rule_vectors.astype(np.float32))
    lexical.save(directory / "bm25")
    if notes:
        with open(directory / "notes.jsonl", "w", encoding="utf-8") as f:
            for n in notes:
                f.write(json.dumps(dataclasses.asdict(n), ensure_ascii=False) + "\n")
        np.save(directory / "note_vectors.npy", np.asarray(note_vectors, dtype=np.float32))
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def _passage(d: dict[str, Any]) -> Passage:
    d["section"] = tuple(d["section"])
    return Passage(**d)


def _rule(d: dict[str, Any]) -> Rule:
    d["roles"] = tuple(d["roles"])
    return Rule(**d)


def load_generation(path: Path) -> StoredIndex:
    from index.lexical import LexicalIndex

    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexCorrupt(f"{path}: index format {manifest.get('format')} is not {FORMAT_VERSION}; rebuild it")
        with open(path / "passages.jsonl", encoding="utf-8") as f:
            passages = [_passage(json.loads(line)) for line in f if line.strip()]
        with open(path / "rules.jsonl", encoding="utf-8") as f:
            rules = [_rule(json.loads(line)) for line in f if line.strip()]
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
        rule_vectors = np.load(path / "rule_vectors.npy", allow_pickle=False)
        lexical = LexicalIndex.load(path / "bm25")
        notes: list[AdviserNote] = []
        note_vectors = None
        if (path / "notes.jsonl").exists():
            with open(path / "notes.jsonl", encoding="utf-8") as f:
                notes = [AdviserNote(**json.loads(line)) for line in f if line.strip()]
            note_vectors = np.load(path / "note_vectors.npy", allow_pickle=False)
            if note_vectors.shape != (len(notes), vectors.shape[1]):
                raise IndexCorrupt(f"the adviser notes in {path} don't match their vectors; rebuild the index")
    except IndexCorrupt:
        raise
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"the index in {path} can't be read ({type(exc).__name__}: {exc}); rebuild it") from exc
    if (
        vectors.ndim != 2
        or len(vectors) != len(passages)
        or lexical.size != len(passages)
        or rule_vectors.shape != (len(rules), vectors.shape[1])
    ):
        raise IndexCorrupt(f"the index in {path} is inconsistent (vectors {vectors.shape}, {len(passages)} passages); rebuild it")
    if vectors.shape[1] != manifest.get("dimension"):
        raise IndexCorrupt(f"the index in {path} has vectors of dimension {vectors.shape[1]}, manifest says {manifest.get('dimension')}")
    municipalities = {
        key: Municipality(key, info.get("name", key), Contact(**(info.get("contact") or {})))
        for key, info in (manifest.get("municipalities") or {}).items()
    }
    documents = {doc_id: IndexedDocument.from_manifest(doc_id, entry) for doc_id, entry in (manifest.get("documents") or {}).items()}
    return StoredIndex(path, manifest, passages, rules, vectors, rule_vectors, lexical, municipalities, documents, notes, note_vectors)


def load_index(index_dir: Path) -> StoredIndex:
    """The current generation of the index in this folder."""
    generation = current_generation(index_dir)
    if generation is None:
        if index_dir.exists() and any(index_dir.glob("gen-*")):
            raise IndexCorrupt(f"the index in {index_dir} has no valid CURRENT pointer; rebuild it with 'veileder index'")
        raise IndexMissing(f"no index in {index_dir} yet; build one with 'veileder index'")
    return load_generation(generation)

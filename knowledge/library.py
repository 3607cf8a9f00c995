"""The knowledge base: a folder of documents read into documents, passages and rules.

The folder holds one sub-folder per municipality (`baerum/`, `modum/` …) and optionally a
`catalog.toml`. Files that can't be read are reported by name with the reason and skipped;
the rest are still used.
"""
from __future__ import annotations

import re

import hashlib
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from knowledge.catalog import Catalog, load_catalog
from knowledge.cleaning import clean_lines
from knowledge.errors import KnowledgeError, UnreadableDocument
from knowledge.passages import Passage, build_passages
from knowledge.readers import read_document
from knowledge.rules import Rule, extract_rules
from knowledge.structure import parse_blocks

log = logging.getLogger(__name__)


def bundled_documents_dir() -> Path:
    """The default knowledge base shipped inside the package."""
    return Path(str(resources.files("knowledge") / "documents"))


@dataclass(frozen=True)
class Document:
    id: str  # the path relative to the documents folder, with forward slashes
    municipality: str
    title: str
    period: str | None
    content_hash: str
    superseded_by: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class KnowledgeBase:
    documents: dict[str, Document] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    catalog: Catalog = field(default_factory=lambda: Catalog({}, {}))

    @property
    def municipalities(self) -> list[str]:
        return sorted({d.municipality for d in self.documents.values()})


def discover_files(documents_dir: Path) -> list[Path]:
    """Every candidate document file below the folder, in a stable order (hidden files and the catalog excluded)."""
    files = []
    for path in sorted(documents_dir.rglob("*")):
        rel = path.relative_to(documents_dir)
        if path.is_dir() or any(part.startswith((".", "_", "~$")) for part in rel.parts):
            continue
        if rel.name in ("catalog.toml", "README.md") and len(rel.parts) == 1:
            continue
        files.append(path)
    return files


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_knowledge_file(path: Path, documents_dir: Path, catalog: Catalog) -> tuple[Document, list[Passage], list[Rule]]:
    """One file → its document record, passages and rules. Raises UnreadableDocument."""
    rel = path.relative_to(documents_dir).as_posix()
    entry = catalog.documents.get(rel)
    parts = rel.split("/")
    if entry is not None:
        municipality = entry.municipality
    elif len(parts) > 1:
        municipality = parts[0]
    else:
        raise UnreadableDocument(rel, "not in a municipality folder; move it into e.g. 'modum/' or add it to catalog.toml")
    text = read_document(path)
    blocks = parse_blocks(clean_lines(text))
    passages = build_passages(blocks, rel, municipality)
    if not passages:
        raise UnreadableDocument(rel, "no text paragraphs found")
    title = (entry.title if entry and entry.title else None) or next(
        (b.text for b in blocks if b.kind == "heading"), path.stem.replace("-", " ").replace("_", " ")
    )
    superseded_by = next((p for p, e in catalog.documents.items() if rel in e.supersedes), None)
    document = Document(
        id=rel,
        municipality=municipality,
        title=title,
        period=entry.period if entry else None,
        content_hash=content_hash(path.read_bytes()),
        superseded_by=superseded_by,
    )
    vocabulary = frozenset(w.lower() for p in passages for w in re.findall(r"[\wæøåÆØÅ]+", p.text))
    rules = [rule for passage in passages for rule in extract_rules(passage, vocabulary)]
    return document, passages, rules


def load_knowledge(documents_dir: Path) -> KnowledgeBase:
    """Read every document in the folder into passages and rules.

        kb = load_knowledge(Path("knowledge/documents"))
        len(kb.documents), len(kb.passages), len(kb.rules), kb.skipped

    Municipality and document facts come from the folder's `catalog.toml` (an absent catalog is an
    empty one). Unreadable, unsupported or hostile files are not fatal: they are listed in
    `kb.skipped` (path relative to the folder, reason). Raises KnowledgeError when the folder
    doesn't exist or its catalog can't be read.
    """
    if not documents_dir.is_dir():
        raise KnowledgeError(f"documents folder not found: {documents_dir}")
    catalog = load_catalog(documents_dir)
    kb = KnowledgeBase(catalog=catalog)
    for path in discover_files(documents_dir):
        rel = path.relative_to(documents_dir).as_posix()
        try:
            document, passages, rules = read_knowledge_file(path, documents_dir, catalog)
        except UnreadableDocument as exc:
            log.warning("skipped %s: %s", rel, exc.reason)
            kb.skipped.append(SkippedFile(rel, exc.reason))
            continue
        kb.documents[document.id] = document
        kb.passages.extend(passages)
        kb.rules.extend(rules)
    return kb

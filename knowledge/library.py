"""The knowledge base: a folder of documents read into documents, passages and rules.

The folder holds one sub-folder per municipality (`baerum/`, `modum/` …) and optionally a
`catalog.toml`. Each file is read in a worker process within time and memory limits
(`knowledge.isolation`). Files that can't be read are reported by name with the reason and
skipped; the rest are still used. A file version that went over a limit is remembered (in the
state folder, by content hash) and not read again until it changes or the limits are raised.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from knowledge.catalog import Catalog, load_catalog
from knowledge.cleaning import clean_lines, drop_running_lines
from knowledge.errors import KnowledgeError, UnreadableDocument
from knowledge.isolation import LimitExceeded, ReadLimits, extract_isolated
from knowledge.pages import assign_pages
from knowledge.passages import Passage, build_passages
from knowledge.sources import load_web_urls
from knowledge.unreadable import UnreadableVersions
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
    web_url: str | None = None  # where staff can open it: the catalog's `url`, else the SharePoint web URL


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

    def format_counts(self) -> dict[str, int]:
        """Documents read per format: {".pdf": 3, ".txt": 2}."""
        counts: dict[str, int] = {}
        for doc_id in self.documents:
            suffix = Path(doc_id).suffix.lower() or "(none)"
            counts[suffix] = counts.get(suffix, 0) + 1
        return dict(sorted(counts.items()))


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


def read_knowledge_file(
    path: Path, documents_dir: Path, catalog: Catalog, limits: ReadLimits | None = None,
    unreadable: UnreadableVersions | None = None,
) -> tuple[Document, list[Passage], list[Rule]]:
    """One file → its document record, passages and rules, read in a worker process within `limits`
    (default ReadLimits()). Raises UnreadableDocument (LimitExceeded when a limit was hit). A version
    in `unreadable` is not read again; one that goes over a limit is added to it."""
    rel = path.relative_to(documents_dir).as_posix()
    entry = catalog.documents.get(rel)
    parts = rel.split("/")
    if entry is not None:
        municipality = entry.municipality
    elif len(parts) > 1:
        municipality = parts[0]
    else:
        raise UnreadableDocument(rel, "not in a municipality folder; move it into e.g. 'modum/' or add it to catalog.toml")
    digest = content_hash(path.read_bytes())
    known = unreadable.reason(digest) if unreadable else None
    if known:
        raise UnreadableDocument(rel, known)
    try:
        extracted = extract_isolated(path, limits, name=rel)
    except LimitExceeded as exc:
        if unreadable:
            unreadable.remember(digest, rel, exc.reason)
        raise
    pages = drop_running_lines(list(extracted.pages)) if extracted.paged else list(extracted.pages)
    # A page break is a break in the layout, as a blank line is; structure tells a paragraph that runs on.
    blocks = parse_blocks(clean_lines(("\n\n" if extracted.paged else "\n").join(pages)))
    passages = build_passages(blocks, rel, municipality)
    if extracted.paged:
        passages = assign_pages(passages, pages)
    if not passages:
        raise UnreadableDocument(rel, "no text paragraphs found")
    title = (entry.title if entry and entry.title else None) or extracted.title or next(
        (b.text for b in blocks if b.kind == "heading"), path.stem.replace("-", " ").replace("_", " ")
    )
    superseded_by = next((p for p, e in catalog.documents.items() if rel in e.supersedes), None)
    document = Document(
        id=rel,
        municipality=municipality,
        title=title,
        period=entry.period if entry else None,
        content_hash=digest,
        superseded_by=superseded_by,
        web_url=(entry.url if entry else None) or extracted.url,
    )
    vocabulary = frozenset(w.lower() for p in passages for w in re.findall(r"[\wæøåÆØÅ]+", p.text))
    rules = [rule for passage in passages for rule in extract_rules(passage, vocabulary)]
    return document, passages, rules


def load_knowledge(documents_dir: Path, limits: ReadLimits | None = None, state_dir: Path | None = None) -> KnowledgeBase:
    """Read every document in the folder into passages and rules.

        kb = load_knowledge(Path("knowledge/documents"))
        len(kb.documents), len(kb.passages), len(kb.rules), kb.skipped

    Municipality and document facts come from the folder's `catalog.toml` (an absent catalog is an
    empty one). Unreadable, unsupported or hostile files are not fatal: they are listed in
    `kb.skipped` (path relative to the folder, reason). `limits`: per-file time and memory for
    reading (default ReadLimits()); `state_dir`: where file versions that went over a limit are
    remembered so the next run (a scheduled sync) skips them at once (None remembers nothing).
    Raises KnowledgeError when the folder doesn't exist or its catalog can't be read.
    """
    if not documents_dir.is_dir():
        raise KnowledgeError(f"documents folder not found: {documents_dir}")
    limits = limits or ReadLimits()
    catalog = load_catalog(documents_dir)
    kb = KnowledgeBase(catalog=catalog)
    unreadable = UnreadableVersions(state_dir, limits)
    web_urls = load_web_urls(documents_dir)
    for path in discover_files(documents_dir):
        rel = path.relative_to(documents_dir).as_posix()
        try:
            document, passages, rules = read_knowledge_file(path, documents_dir, catalog, limits, unreadable)
        except UnreadableDocument as exc:
            log.info("skipped %s: %s", rel, exc.reason)  # callers report kb.skipped to the admin
            kb.skipped.append(SkippedFile(rel, exc.reason))
            continue
        if document.web_url is None and rel in web_urls:
            document = dataclasses.replace(document, web_url=web_urls[rel])
        kb.documents[document.id] = document
        kb.passages.extend(passages)
        kb.rules.extend(rules)
    return kb

"""The catalog: which municipality a document belongs to, its title, period and what it supersedes.

Documents without a catalog entry still work: the municipality is the sub-folder name and the
title the first heading or the file name.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import CatalogError

CATALOG_FILE = "catalog.toml"


@dataclass(frozen=True)
class Contact:
    """The way to a human: a municipality's communications contact."""

    unit: str | None = None
    email: str | None = None
    phone: str | None = None
    web: str | None = None
    slack_channel: str | None = None
    teams_channel: str | None = None


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str
    contact: Contact = field(default_factory=Contact)


@dataclass(frozen=True)
class DocumentEntry:
    path: str  # relative to the documents folder, with forward slashes
    municipality: str
    title: str | None = None
    period: str | None = None
    adopted: str | None = None
    supersedes: tuple[str, ...] = ()
    url: str | None = None  # where staff can open it (intranet or SharePoint); shown as a link in citations


@dataclass(frozen=True)
class Catalog:
    municipalities: dict[str, Municipality]
    documents: dict[str, DocumentEntry]

    def municipality(self, key: str) -> Municipality:
        """The municipality by key; an uncatalogued folder name gets a plain display name."""
        if key in self.municipalities:
            return self.municipalities[key]
        return Municipality(key=key, name=key.replace("-", " ").title())

    def superseded_paths(self) -> set[str]:
        return {old for entry in self.documents.values() for old in entry.supersedes}


def load_catalog(documents_dir: Path) -> Catalog:
    """Read `catalog.toml` in the documents folder; an absent catalog is an empty one."""
    path = documents_dir / CATALOG_FILE
    if not path.exists():
        return Catalog({}, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc}); fix or remove the catalog") from exc
    municipalities: dict[str, Municipality] = {}
    for key, raw in (data.get("municipalities") or {}).items():
        contact = raw.get("contact") or {}
        unknown = set(contact) - set(Contact.__dataclass_fields__)
        if unknown:
            raise CatalogError(f"{path}: unknown contact field(s) {sorted(unknown)} for {key}")
        municipalities[key] = Municipality(key=key, name=raw.get("name", key), contact=Contact(**contact))
    documents: dict[str, DocumentEntry] = {}
    for raw in data.get("documents") or []:
        if "path" not in raw or "municipality" not in raw:
            raise CatalogError(f"{path}: every [[documents]] entry needs 'path' and 'municipality'")
        entry = DocumentEntry(
            path=raw["path"],
            municipality=raw["municipality"],
            title=raw.get("title"),
            period=raw.get("period"),
            adopted=raw.get("adopted"),
            supersedes=tuple(raw.get("supersedes") or ()),
            url=raw.get("url"),
        )
        documents[entry.path] = entry
    return Catalog(municipalities, documents)

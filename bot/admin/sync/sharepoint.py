"""SharePoint / OneDrive document libraries, mirrored into the documents folder through Microsoft Graph.

A source is one drive (a site's default document library, or a drive by id), optionally narrowed to
a folder. It is followed with driveItem delta: the first run enumerates the whole drive, later runs
ask only for what changed since the stored deltaLink; a 410 (resync required) starts over.
Delta gives no paths, only ids and parents, so the source keeps a small item tree (id → name,
parent, version, where its file is mirrored) and works out every file's path from it.

A file is written into the mirror only after it has been read the way the index will read it: a
corrupt new version is reported and the good one already mirrored stays. Everything that can fail
on the network (delta pages, downloads) happens before the mirror is touched.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
from azure.core.exceptions import AzureError
from kiota_abstractions.api_error import APIError
from msgraph import GraphServiceClient
from msgraph.generated.drives.item.items.item.delta.delta_request_builder import DeltaRequestBuilder
from msgraph.generated.models.drive_item import DriveItem

from knowledge.catalog import load_catalog
from knowledge.errors import KnowledgeError, UnreadableDocument
from bot.graph.client import Credential
from knowledge.library import SkippedFile, read_knowledge_file
from knowledge.sources import record_web_urls
from knowledge.unreadable import UnreadableVersions
from knowledge.readers import MAX_DOCUMENT_BYTES, SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

SyncProgress = Callable[[str, int, "int | None"], None]  # (what is happening, done, total or None)

STAGING = ".staging"  # inside the mirror: hidden, so the index never reads it
MAX_DELTA_PAGES = 10_000


class SharePointError(KnowledgeError):
    """A source can't be synced this time; the message says why and what to do. Nothing was changed."""


class SyncCancelled(SharePointError):
    """The sync was asked to stop (the server is shutting down)."""


# -- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharePointSource:
    """One document library (or a folder in it) whose documents belong to one municipality."""

    municipality: str
    site_id: str | None = None
    drive_id: str | None = None
    folder: str | None = None

    @classmethod
    def from_config(cls, entry: Any) -> "SharePointSource":
        """One entry of VEILEDER_SHAREPOINT_SOURCES, checked."""
        example = '{"municipality": "baerum", "site_id": "…", "folder": "Strategier"}'
        if not isinstance(entry, dict):
            raise SharePointError(f"each entry of VEILEDER_SHAREPOINT_SOURCES must be an object like {example}")
        unknown = set(entry) - {"municipality", "site_id", "drive_id", "folder"}
        if unknown:
            raise SharePointError(f"unknown key(s) {', '.join(sorted(unknown))} in VEILEDER_SHAREPOINT_SOURCES; use municipality, site_id or drive_id, folder")
        municipality = str(entry.get("municipality") or "").strip().lower()
        if not municipality or "/" in municipality or municipality.startswith("."):
            raise SharePointError(f"a VEILEDER_SHAREPOINT_SOURCES entry has no valid municipality key, e.g. {example}")
        site_id, drive_id = entry.get("site_id"), entry.get("drive_id")
        if bool(site_id) == bool(drive_id):
            raise SharePointError(f"the SharePoint source for '{municipality}' needs exactly one of site_id or drive_id")
        folder = "/".join(part for part in str(entry.get("folder") or "").replace("\\", "/").split("/") if part) or None
        return cls(municipality, str(site_id) if site_id else None, str(drive_id) if drive_id else None, folder)

    @property
    def key(self) -> str:
        """Stable name of the source in the sync state and the admin page."""
        where = f"site:{self.site_id}" if self.site_id else f"drive:{self.drive_id}"
        return f"{self.municipality}:{where}" + (f":/{self.folder}" if self.folder else "")

    @property
    def label(self) -> str:
        """A folder name for this source when a municipality has several."""
        raw = self.folder or self.site_id or self.drive_id or "library"
        return re.sub(r"[^0-9A-Za-z._-]+", "-", raw).strip("-._").lower()[:60] or "library"


# -- the state kept between runs -----------------------------------------------------------------


@dataclass
class SourceState:
    """What a source remembers between runs: where delta continues, and the item tree."""

    delta_link: str | None = None
    drive_id: str | None = None
    mirror: str | None = None  # the mirror folder, relative to the documents folder
    # id → {"name", "parent", "kind": "root"|"folder"|"file", "version", "size", "path", "mirrored"}
    # `path` and `mirrored` (the version in the mirror) are set only for files that are mirrored.
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "SourceState":
        data = data or {}
        items = data.get("items") if isinstance(data.get("items"), dict) else {}
        return cls(data.get("delta_link"), data.get("drive_id"), data.get("mirror"), dict(items))


@dataclass
class SourcePull:
    """Changes of one source, downloaded and checked, not yet applied to the mirror."""

    source: SharePointSource
    state: SourceState  # the state to store once the index built from this has swapped in
    mirror: Path
    staging: Path
    full: bool  # a full enumeration (first run, or after a 410)
    placements: dict[str, tuple[str, Path]] = field(default_factory=dict)  # id → (mirror path, file to put there)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    retire: list[Path] = field(default_factory=list)  # files of a previous mirror folder, to delete

    def summary(self) -> dict[str, Any]:
        """The counts the admin page shows, and the files skipped with the reason."""
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


# -- Microsoft Graph -----------------------------------------------------------------------------


@dataclass
class Delta:
    items: list[DriveItem]
    delta_link: str
    full: bool


class DriveClient:
    """The few Graph calls a sync needs, with errors turned into SharePointError.

    Throttling (429, and 503/504) is waited out by the SDK's retry middleware, which honours
    Retry-After: at most three retries, and never a wait of three minutes or more. A source
    still throttled after that fails this run and continues from the same point next time.
    """

    def __init__(self, client: GraphServiceClient) -> None:
        self.client = client

    async def drive_id(self, source: SharePointSource) -> str:
        """The drive to follow: the configured one, or the site's default document library."""
        if source.drive_id:
            return source.drive_id
        assert source.site_id
        drive = await self._call(self.client.sites.by_site_id(source.site_id).drive.get(), f"the document library of site {source.site_id}")
        if drive is None or not drive.id:
            raise SharePointError(f"site {source.site_id} has no document library; check the site id")
        return drive.id

    async def delta(self, drive_id: str, delta_link: str | None) -> Delta:
        """Every change since `delta_link` (all items when None), following nextLink pages; a 410 starts over."""
        full = delta_link is None
        url = delta_link
        items: list[DriveItem] = []
        restarted = False
        for _ in range(MAX_DELTA_PAGES):
            if url is None:
                request = self.client.drives.by_drive_id(drive_id).items.by_drive_item_id("root").delta.get()
            else:
                request = DeltaRequestBuilder(self.client.request_adapter, url).get()
            try:
                page = await self._call(request, "the list of changes", raise_410=True)
            except _Gone:
                if restarted:
                    raise SharePointError("Microsoft Graph asked twice in a row to start over (410); try again later")
                log.warning("drive %s: the delta link has expired (410): starting a full sync", drive_id)
                restarted, full, url, items = True, True, None, []
                continue
            if page is None:
                raise SharePointError("Microsoft Graph answered the list of changes with an empty body")
            items.extend(page.value or [])
            if page.odata_next_link:
                url = page.odata_next_link
            elif page.odata_delta_link:
                return Delta(items, page.odata_delta_link, full)
            else:
                raise SharePointError("Microsoft Graph's list of changes had neither a nextLink nor a deltaLink")
        raise SharePointError(f"more than {MAX_DELTA_PAGES} pages of changes; is the delta link looping?")

    async def download(self, drive_id: str, item_id: str, name: str) -> bytes:
        """The file's content (`/content`, following the redirect to the download URL)."""
        data = await self._call(
            self.client.drives.by_drive_id(drive_id).items.by_drive_item_id(item_id).content.get(), f"the download of '{name}'"
        )
        return data or b""

    async def _call(self, request, what: str, raise_410: bool = False):
        try:
            return await request
        except APIError as exc:
            if raise_410 and exc.response_status_code == 410:
                raise _Gone() from exc
            raise SharePointError(_describe_api_error(exc, what)) from exc
        except AzureError as exc:
            raise SharePointError(f"could not get a token for Microsoft Graph: {exc.message if hasattr(exc, 'message') else exc}"[:400]) from exc
        except httpx.HTTPError as exc:
            raise SharePointError(f"could not reach Microsoft Graph for {what}: {type(exc).__name__}: {exc}"[:400]) from exc


class _Gone(Exception):
    """410 from delta: the delta link can't be used any more."""


def _describe_api_error(exc: APIError, what: str) -> str:
    status = exc.response_status_code
    code = message = None
    error = getattr(exc, "error", None)
    if error is not None:
        code, message = getattr(error, "code", None), getattr(error, "message", None)
    detail = ": ".join(x for x in (code, message) if x) or (exc.message or type(exc).__name__)
    hint = {
        401: "check GRAPH_TENANT_ID / GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET",
        403: "the app registration needs the Sites.Read.All (or Files.Read.All) application permission, with admin consent",
        404: "check the site_id / drive_id / folder in VEILEDER_SHAREPOINT_SOURCES",
        429: "Microsoft Graph is still throttling requests after waiting as asked",
    }.get(status or 0, "SharePoint had a problem" if (status or 0) >= 500 else "unexpected answer")
    return f"Microsoft Graph answered {status} for {what} ({detail[:200]}); {hint}"


# -- pulling one source --------------------------------------------------------------------------


async def pull(
    client: DriveClient,
    source: SharePointSource,
    state: SourceState,
    documents_dir: Path,
    mirror_rel: str,
    progress: SyncProgress | None = None,
    cancelled: Callable[[], bool] | None = None,
    unreadable: UnreadableVersions | None = None,
) -> SourcePull:
    """Fetch the changes of one source and download and check changed files into a staging folder.

    Nothing in the mirror changes here; `apply()` does that. Raises SharePointError.
    """
    mirror = documents_dir / mirror_rel
    retire: list[Path] = []
    if state.mirror not in (None, mirror_rel):  # the mirror moved (sources were added): mirror everything afresh
        retire = [documents_dir / state.mirror / e["path"] for e in state.items.values() if e.get("path")]
        state = SourceState(delta_link=None, drive_id=state.drive_id, mirror=mirror_rel)
    if progress:
        progress(f"{source.municipality}: asking SharePoint for changes", 0, None)
    drive_id = state.drive_id or await client.drive_id(source)
    delta = await client.delta(drive_id, state.delta_link)
    old = state.items
    tree = _tree_after(old, delta)
    result = SourcePull(
        source,
        SourceState(delta.delta_link, drive_id, mirror_rel, tree),
        mirror,
        mirror / STAGING,
        delta.full,
        retire=retire,
    )
    touched = {item.id for item in delta.items if item.id}
    wanted = _wanted_files(tree, source.folder)
    for item_id, (rel, reason) in wanted.items():
        if reason and item_id in touched:
            result.skipped.append(SkippedFile(f"{mirror_rel}/{rel}", reason))
    to_download = [
        (item_id, rel)
        for item_id, (rel, reason) in sorted(wanted.items(), key=lambda kv: kv[1][0])
        if reason is None and not _mirrored_current(old.get(item_id), tree[item_id], mirror)
    ]
    if result.staging.exists():
        shutil.rmtree(result.staging)  # left by a run that was killed
    result.staging.mkdir(parents=True)
    catalog = load_catalog(documents_dir)
    try:
        for done, (item_id, rel) in enumerate(to_download):
            if cancelled and cancelled():
                raise SyncCancelled("the sync was stopped before it finished; the next one continues from the same point")
            if progress:
                progress(f"{source.municipality}: downloading {rel}", done, len(to_download))
            data = await client.download(drive_id, item_id, rel)
            staged = result.staging / f"{_safe(item_id)}{Path(rel).suffix.lower()}"
            staged.write_bytes(data)
            try:
                # exactly what the index will do with it; a version over a reading limit is not fetched and read again
                read_knowledge_file(staged, documents_dir, catalog, unreadable.limits if unreadable else None, unreadable)
            except UnreadableDocument as exc:
                previous = old.get(item_id) or {}
                kept = " (the version already indexed is kept)" if previous.get("path") else ""
                result.skipped.append(SkippedFile(f"{mirror_rel}/{rel}", exc.reason + kept))
                staged.unlink()
                continue
            tree[item_id]["path"], tree[item_id]["mirrored"] = rel, tree[item_id].get("version")
            result.placements[item_id] = (rel, staged)
        if progress and to_download:
            progress(f"{source.municipality}: downloaded", len(to_download), len(to_download))
    except BaseException:
        shutil.rmtree(result.staging, ignore_errors=True)
        raise
    _plan_the_rest(result, old, wanted, mirror)
    return result


def _tree_after(old: dict[str, dict[str, Any]], delta: Delta) -> dict[str, dict[str, Any]]:
    """The item tree after the changes; a full enumeration replaces it (keeping what is mirrored where)."""
    tree = {} if delta.full else {k: dict(v) for k, v in old.items()}
    for item in delta.items:  # the last occurrence of an item wins
        if not item.id:
            continue
        if item.deleted is not None:
            tree.pop(item.id, None)
            continue
        entry = {
            "name": item.name or (tree.get(item.id) or {}).get("name") or "",
            "parent": item.parent_reference.id if item.parent_reference else None,
            "kind": "root" if item.root is not None else ("folder" if item.folder is not None or item.package is not None else "file"),
            "version": _version(item),
            "size": item.size,
            "web_url": item.web_url,
        }
        previous = old.get(item.id) or {}
        for key in ("path", "mirrored"):
            if previous.get(key) is not None:
                entry[key] = previous[key]
        tree[item.id] = entry
    return tree


def _version(item: DriveItem) -> str | None:
    """What changes when the content changes: a content hash, else cTag, else eTag (SharePoint omits cTag in delta)."""
    hashes = item.file.hashes if item.file is not None else None
    if hashes is not None:
        for value in (hashes.quick_xor_hash, hashes.sha256_hash, hashes.sha1_hash):
            if value:
                return f"{value}:{item.size}"
    return item.c_tag or item.e_tag


def _path_of(tree: dict[str, dict[str, Any]], item_id: str) -> str | None:
    """The item's path from the drive root, or None when its chain of parents is broken."""
    parts: list[str] = []
    seen: set[str] = set()
    current: str | None = item_id
    while current is not None:
        entry = tree.get(current)
        if entry is None or current in seen:
            return None
        if entry["kind"] == "root":
            return "/".join(reversed(parts))
        seen.add(current)
        parts.append(entry["name"])
        current = entry["parent"]
    return None


def _wanted_files(tree: dict[str, dict[str, Any]], folder: str | None) -> dict[str, tuple[str, str | None]]:
    """Files inside the source's folder: id → (path in the mirror, why it is skipped or None)."""
    prefix = f"{folder.casefold()}/" if folder else ""
    wanted: dict[str, tuple[str, str | None]] = {}
    for item_id, entry in tree.items():
        if entry["kind"] != "file":
            continue
        path = _path_of(tree, item_id)
        if path is None or not path.casefold().startswith(prefix):
            continue
        rel = path[len(prefix):]
        name = rel.rsplit("/", 1)[-1]
        if any(part.startswith((".", "_", "~$")) for part in rel.split("/")):
            continue  # Office lock files and hidden files: never documents
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            reason = f"format '{suffix or name}' is not read; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        elif (entry.get("size") or 0) > MAX_DOCUMENT_BYTES:
            reason = f"too large ({(entry.get('size') or 0) // 1_000_000} MB; the limit is 50 MB)"
        else:
            reason = None
        wanted[item_id] = (rel, reason)
    return wanted


def _mirrored_current(old: dict[str, Any] | None, new: dict[str, Any], mirror: Path) -> bool:
    """True when the mirror already holds this version of the file (renamed or not)."""
    return bool(
        old and old.get("path") and old.get("mirrored") is not None
        and old.get("mirrored") == new.get("version") and (mirror / old["path"]).is_file()
    )


def _plan_the_rest(result: SourcePull, old: dict[str, dict[str, Any]], wanted: dict[str, tuple[str, str | None]], mirror: Path) -> None:
    """Renames and files kept as they are; what was added, changed and removed."""
    tree = result.state.items
    for item_id, entry in tree.items():
        before = old.get(item_id) or {}
        if item_id in result.placements:
            rel = result.placements[item_id][0]
            (result.changed if before.get("path") and (mirror / before["path"]).is_file() else result.added).append(rel)
            continue
        rel_reason = wanted.get(item_id)
        have = before.get("path") if before.get("path") and (mirror / before["path"]).is_file() else None
        if have is None:
            _unmirrored(entry)
            continue
        if rel_reason is None or (rel_reason[1] is not None and rel_reason[0] != have):
            _unmirrored(entry)  # moved out of the folder, or renamed to a format we don't read
            continue
        rel, reason = rel_reason
        if reason is None and _mirrored_current(before, entry, mirror) and rel != have:
            entry["path"], entry["mirrored"] = rel, before.get("mirrored")
            result.placements[item_id] = (rel, mirror / have)  # renamed or moved: same content, new place
            result.changed.append(rel)
        else:  # unchanged, or a new version that could not be read: the mirrored one stays where it is
            entry["path"], entry["mirrored"] = have, before.get("mirrored")
    kept = {e["path"] for e in tree.values() if e.get("path")}
    for item_id, before in old.items():
        if before.get("path") and (mirror / before["path"]).is_file() and not (tree.get(item_id) or {}).get("path"):
            if before["path"] not in kept:
                result.removed.append(before["path"])


def _unmirrored(entry: dict[str, Any]) -> None:
    entry.pop("path", None)
    entry.pop("mirrored", None)


def apply(result: SourcePull, keep_dirs: list[Path] | None = None) -> None:
    """Make the mirror folder hold exactly the source's files: place new and moved files, remove the rest.

    Local file operations only; safe to repeat (a run that is killed here is finished by the next).
    `keep_dirs` are folders inside the mirror that belong to other sources.
    """
    mirror, staging = result.mirror, result.staging
    mirror.mkdir(parents=True, exist_ok=True)
    staging.mkdir(parents=True, exist_ok=True)
    moving: dict[str, tuple[str, Path]] = {}
    for item_id, (rel, src) in result.placements.items():
        if src.parent != staging:  # a file already in the mirror: set aside first, so moves can't collide
            parked = staging / f"{_safe(item_id)}.moving{src.suffix}"
            os.replace(src, parked)
            src = parked
        moving[item_id] = (rel, src)
    for rel, src in moving.values():
        target = mirror / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    for old in result.retire:
        if mirror not in old.parents:
            old.unlink(missing_ok=True)
    wanted = {e["path"] for e in result.state.items.values() if e.get("path")}
    keep = [d.resolve() for d in (keep_dirs or [])]
    for path in sorted(mirror.rglob("*"), reverse=True):
        if path == staging or staging in path.parents or any(k == path.resolve() or k in path.resolve().parents for k in keep):
            continue
        rel = path.relative_to(mirror).as_posix()
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    record_web_urls(mirror, {e["path"]: e["web_url"] for e in result.state.items.values() if e.get("path") and e.get("web_url")})
    shutil.rmtree(staging, ignore_errors=True)


def discard(result: SourcePull) -> None:
    """Drop what was downloaded for a pull that won't be applied."""
    shutil.rmtree(result.staging, ignore_errors=True)


def _safe(item_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", "_", item_id)[:120]

"""Sync: pull SharePoint changes into the documents folder, rebuild the index, and only then remember
where to continue.

The order is what makes a failure harmless. Delta pages and downloads come first and touch nothing;
the mirror folders change next (local file moves, safe to repeat); the index is rebuilt and swapped
in atomically; only after that is each source's deltaLink stored. A run that fails or is killed
anywhere leaves the index that serves as it was and the deltaLink where it was, so the next run
fetches the same changes again and finishes the job.

State lives in the shared state store (`bot/admin/sync/state.py`): one entry per source (the admin
page reads `last_run`, `ok`, `summary` and `error`) and one row per run. The sync lock
(`bot/store/locks.py`) lets one replica sync at a time; it builds the next index generation into
the shared index folder, and every replica's engine picks it up on its next answer.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from knowledge.errors import VeilederError
from bot.settings import Settings
from bot.admin.sync.state import SyncStateStore
from bot.store.database import Database
from bot.store.locks import sync_lock
from bot.graph.client import Credential
from knowledge.unreadable import UnreadableVersions
from index.builder import BuildReport
from knowledge.library import SkippedFile
from bot.admin.sync.sharepoint import (
    DriveClient,
    SyncProgress,
    SharePointError,
    SharePointSource,
    SourcePull,
    SourceState,
    apply,
    discard,
    pull,
)

if TYPE_CHECKING:  # pragma: no cover
    from bot.graph.client import GraphConnection

    from index.embedder import Embedder

log = logging.getLogger(__name__)

class SyncError(VeilederError):
    """The sync can't start (bad configuration, another sync running); the message says what to do."""


class SyncBusy(SyncError):
    pass


@dataclass
class SourceResult:
    """What one source's run did."""

    key: str
    municipality: str
    ok: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    full: bool = False
    error: str | None = None


@dataclass
class SyncSummary:
    """A run: which folder, each source, and the index build."""

    documents_dir: Path
    seeded_copy: bool  # the folder is DATA_DIR/documents, a copy of the bundled documents
    sources: list[SourceResult]
    build: BuildReport | None = None
    build_error: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.build_error is None and all(s.ok for s in self.sources)

    @property
    def error(self) -> str | None:
        """One line saying what failed, or None."""
        failed = [f"{s.key}: {s.error}" for s in self.sources if not s.ok]
        if self.build_error:
            failed.append(f"index build: {self.build_error}")
        if not failed:
            return None
        return "sync failed (" + "; ".join(failed) + "); the index in use is unchanged and the next sync continues from the same point"

    def folder_line(self) -> str:
        line = f"Documents folder: {self.documents_dir}"
        if self.seeded_copy:
            line += " (a copy of the bundled documents; set VEILEDER_DOCUMENTS_DIR to use another folder)"
        return line

    def text(self) -> str:
        """A short human summary, for the chat."""
        lines = [self.note] if self.note else []
        for s in self.sources:
            if s.ok:
                line = f"{s.key}: {len(s.added)} added, {len(s.changed)} changed, {len(s.removed)} removed, {len(s.skipped)} skipped"
                lines.append(line + (" (full sync)" if s.full else ""))
                lines += [f"  skipped {k.path}: {k.reason}" for k in s.skipped]
            else:
                lines.append(f"{s.key}: failed: {s.error}")
        if self.build is not None:
            b = self.build
            state = "already up to date" if b.up_to_date else f"rebuilt ({b.embedded} passages embedded)"
            lines.append(f"Index {state}: {b.documents} documents, {b.passages} passages, {b.rules} rules.")
            lines += [f"  skipped {k.path}: {k.reason}" for k in b.skipped]
        if self.build_error:
            lines.append(f"Index build failed: {self.build_error}")
        if not self.ok:
            lines.append("The index in use is unchanged; the next sync continues from the same point.")
        lines.append(self.folder_line())
        return "\n".join(lines)


# -- configuration -------------------------------------------------------------------------------


def configured_sources(settings: Settings) -> list[SharePointSource]:
    """The sources in VEILEDER_SHAREPOINT_SOURCES, checked."""
    try:
        sources = [SharePointSource.from_config(entry) for entry in settings.sharepoint_sources]
    except SharePointError as exc:
        raise SyncError(str(exc)) from exc
    keys = [s.key for s in sources]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise SyncError(f"VEILEDER_SHAREPOINT_SOURCES lists {', '.join(duplicates)} more than once")
    return sources


def mirror_layout(sources: list[SharePointSource]) -> dict[str, str]:
    """Source key → its folder below the documents folder: `<municipality>/sharepoint`, with a
    sub-folder per source when a municipality has several."""
    layout: dict[str, str] = {}
    by_municipality: dict[str, list[SharePointSource]] = {}
    for source in sources:
        by_municipality.setdefault(source.municipality, []).append(source)
    for municipality, group in by_municipality.items():
        if len(group) == 1:
            layout[group[0].key] = f"{municipality}/sharepoint"
            continue
        used: set[str] = set()
        for source in group:
            label, n = source.label, 2
            while label in used:
                label, n = f"{source.label}-{n}", n + 1
            used.add(label)
            layout[source.key] = f"{municipality}/sharepoint/{label}"
    return layout


# -- state ----------------------------------------------------------------------------------------


def _database(settings: Settings, database: Database | None) -> Database:
    if database is not None:
        return database
    from bot.store.setup import open_store

    return open_store(settings)


def read_state(settings: Settings, database: Database | None = None) -> dict[str, Any]:
    """The stored state of every source (from the shared state store)."""
    return SyncStateStore(_database(settings, database)).read()


def _sync_lock(database: Database, data_dir: Path) -> contextlib.AbstractContextManager[None]:
    return sync_lock(database, data_dir, lambda: SyncBusy("a sync is already running (on this or another replica); try again when it has finished"))


PUBLIC_FIELDS = ("municipality", "last_run", "ok", "summary", "error")  # what the admin page shows


class SyncStateUnreadable(SyncError):
    """The sync state can't be read from the shared state store."""


def public_state(settings: Settings, database: Database | None = None) -> dict[str, dict[str, Any]] | None:
    """Per source, what the last run left for people to see (PUBLIC_FIELDS; delta links and item
    trees stay private), from the shared state store; None when no sync has run. Raises SyncStateUnreadable."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        state = SyncStateStore(_database(settings, database)).read()
    except (SQLAlchemyError, VeilederError) as exc:
        raise SyncStateUnreadable(f"synkstatus kan ikke leses fra databasen ({type(exc).__name__})") from exc
    if not state:
        return None
    return {str(source): {key: run.get(key) for key in PUBLIC_FIELDS if key in run} for source, run in state.items()}


# -- the run --------------------------------------------------------------------------------------


def run_sync(
    settings: Settings,
    municipality: str | None = None,
    progress: SyncProgress | None = None,
    *,
    embedder: "Embedder | None" = None,
    credential: Credential | None = None,
    cancelled: Callable[[], bool] | None = None,
    database: Database | None = None,
) -> SyncSummary:
    """Sync the configured SharePoint sources (of one municipality, or all) and rebuild the index.

        summary = run_sync(Settings(), "baerum")
        print(summary.text())  # "sharepoint-baerum: 1 added, 2 changed, 0 removed, 0 skipped …"

    With no source to sync, it is a plain rebuild from the documents folder. Source and build
    failures are reported in the summary (and the shared state store); SyncError when it can't
    start (bad configuration), SyncBusy when another sync — on this or another replica — holds the
    sync lock. `progress(what, done, total)` reports downloads; `cancelled()` is checked between
    steps. Blocking (it runs its own event loop for Graph): call it off the event loop.
    """
    sources = configured_sources(settings)
    layout = mirror_layout(sources)
    wanted = municipality.strip().lower() if municipality else None
    selected = [s for s in sources if wanted is None or s.municipality == wanted]
    documents_dir = settings.setup_documents_dir()
    summary = SyncSummary(documents_dir, settings.documents_dir is None and bool(sources), [])
    if not sources:
        summary.note = "No SharePoint sources are configured (VEILEDER_SHAREPOINT_SOURCES): rebuilt the index from the documents folder."
    elif not selected:
        summary.note = f"No SharePoint source for '{wanted}': rebuilt the index from the documents folder."
    database = _database(settings, database)
    store = SyncStateStore(database)
    with _sync_lock(database, settings.data_dir):
        run_id = store.start_run(wanted)
        try:
            _run_locked(settings, store, selected, documents_dir, layout, summary, progress, embedder, credential, cancelled)
        finally:
            generation = summary.build.generation if summary.build is not None else None
            store.finish_run(run_id, summary.ok, generation, summary.text(), summary.error)
    return summary


def _run_locked(
    settings: Settings,
    store: SyncStateStore,
    selected: list[SharePointSource],
    documents_dir: Path,
    layout: dict[str, str],
    summary: SyncSummary,
    progress: SyncProgress | None,
    embedder: "Embedder | None",
    credential: Credential | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    state = store.read()
    pulls: list[SourcePull] = []
    if selected:
        pulls, summary.sources = asyncio.run(
            _pull_all(settings, selected, state, documents_dir, layout, progress, credential, cancelled)
        )
    pulls = [done for done in pulls if _applied(done, documents_dir, layout, summary)]
    if pulls or not selected:
        try:
            summary.build = _build(settings, documents_dir, embedder, progress)
        except Exception as exc:  # noqa: BLE001 - reported; the index in use stays
            log.exception("index build failed during sync")
            summary.build_error = (str(exc) or type(exc).__name__)[:400]
    if selected:
        _record(store, state, pulls, summary)


async def _pull_all(
    settings: Settings,
    sources: list[SharePointSource],
    state: dict[str, Any],
    documents_dir: Path,
    layout: dict[str, str],
    progress: SyncProgress | None,
    credential: Credential | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[list[SourcePull], list[SourceResult]]:
    pulls: list[SourcePull] = []
    results: list[SourceResult] = []
    try:
        connection = _graph_connection(settings, credential)
        client = DriveClient(connection.client)
    except SharePointError as exc:
        return [], [SourceResult(s.key, s.municipality, False, error=str(exc)) for s in sources]
    try:
        for source in sources:
            previous = SourceState.from_dict(state.get(source.key))
            try:
                done = await pull(client, source, previous, documents_dir, layout[source.key], progress, cancelled,
                                  UnreadableVersions(settings.data_dir, settings.read_limits()))
            except SharePointError as exc:
                log.warning("sync of %s failed: %s", source.key, exc)
                results.append(SourceResult(source.key, source.municipality, False, error=str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one broken source must not stop the others
                log.exception("sync of %s failed", source.key)
                results.append(SourceResult(source.key, source.municipality, False, error=f"{type(exc).__name__}: {exc}"[:400]))
                continue
            pulls.append(done)
            results.append(
                SourceResult(source.key, source.municipality, True, done.added, done.changed, done.removed, done.skipped, done.full)
            )
    except BaseException:
        for done in pulls:
            discard(done)
        raise
    finally:
        await connection.close()
    return pulls, results


def _applied(done: SourcePull, documents_dir: Path, layout: dict[str, str], summary: SyncSummary) -> bool:
    """Put a source's changes into its mirror folder; a failure (disk full) fails that source only."""
    try:
        apply(done, keep_dirs=[documents_dir / rel for key, rel in layout.items() if key != done.source.key])
        return True
    except OSError as exc:
        discard(done)
        result = next(r for r in summary.sources if r.key == done.source.key)
        result.ok, result.error = False, f"could not write into {done.mirror}: {exc.strerror or exc}"
        return False


def _graph_connection(settings: Settings, credential: Credential | None) -> "GraphConnection":
    """Graph for the configured app: `credential` when given (tests, callers with their own), else
    the app's client secret, else the managed identity it runs with."""
    from bot.graph.client import GraphConnection, app_credential

    owned = credential is None
    credential = credential or app_credential(settings, managed_identity=True)
    if credential is not None:
        return GraphConnection.open(settings, credential, owned)
    raise SharePointError(
        "SharePoint sources are configured but Microsoft Graph is not: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and "
        "GRAPH_CLIENT_SECRET (an app registration with the Sites.Read.All application permission), or run with a managed identity"
    )


def _build(settings: Settings, documents_dir: Path, embedder: "Embedder | None", progress: SyncProgress | None) -> BuildReport:
    from bot.admin.cases import notes_for_build
    from index.builder import build_index
    from index.embedder import load_embedder
    from knowledge.library import load_knowledge

    kb = load_knowledge(documents_dir, settings.read_limits(), settings.data_dir)
    notes = notes_for_build(settings)
    embedder = embedder or load_embedder(settings.model, settings.data_dir, settings.threads)
    report = build_index(
        kb, embedder, settings.resolved_index_dir(), (lambda done, total: progress("Embedding passages", done, total)) if progress else None,
        notes=notes,
    )
    return report


def _record(store: SyncStateStore, state: dict[str, Any], pulls: list[SourcePull], summary: SyncSummary) -> None:
    """Store each source's run; the deltaLink and item tree advance only for sources whose changes are in the new index."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    by_key = {p.source.key: p for p in pulls}
    written: dict[str, dict[str, Any]] = {}
    for result in summary.sources:
        entry = dict(state.get(result.key) or {})
        done = by_key.get(result.key)
        if result.ok and summary.build_error is None and done is not None:
            entry.update(
                delta_link=done.state.delta_link,
                drive_id=done.state.drive_id,
                mirror=done.state.mirror,
                items=done.state.items,
                ok=True,
                summary=done.summary(),
                error=None,
            )
        else:
            if result.ok:  # its changes are in the mirror, but not in an index that serves
                result.ok, result.error = False, f"not indexed: {summary.build_error}"
            entry.update(ok=False, error=result.error, summary={"added": 0, "changed": 0, "removed": 0, "skipped": []})
        entry["municipality"] = result.municipality
        entry["last_run"] = now
        written[result.key] = entry
    store.write_sources(written)

"""Building the index from the command line: the progress bar on stderr, and the embedding model
loaded once per command."""
from __future__ import annotations

from bot.cli.common import err
from bot.settings import Settings
from knowledge.errors import StorageError


def build(settings: Settings, quiet: bool = False, embedder=None):
    """Build or update the index from the settings' documents, with a progress bar on stderr
    (reading the documents, then embedding passages and rules); `embedder` is reused when given.
    Returns (BuildReport, the embedder, or None when nothing had changed and none was loaded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from bot.admin.cases import notes_for_build
    from index.builder import build_index, up_to_date
    from knowledge.library import load_knowledge

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=quiet, transient=True,
    ) as progress:
        task = progress.add_task("Reading the documents", total=None)
        kb = load_knowledge(settings.setup_documents_dir(), settings.read_limits(), settings.data_dir)
        notes = notes_for_build(settings)  # the adviser notes, their own source type
        if embedder is None:
            unchanged = up_to_date(kb, settings.resolved_index_dir(), settings.model, notes)
            if unchanged is not None:
                return unchanged, None  # nothing to embed: the model is not loaded
            progress.update(task, description="Loading the embedding model")
            embedder = load_embedder_for(settings)
        progress.update(task, description="Embedding passages and rules")
        try:
            report = build_index(
                kb, embedder, settings.resolved_index_dir(), lambda done, total: progress.update(task, completed=done, total=total), notes=notes
            )
        except OSError as exc:  # read-only or full disk: one line, not a traceback
            raise StorageError.from_os_error(exc, "the index", settings.resolved_index_dir(), "VEILEDER_INDEX_DIR") from exc
    return report, embedder


def load_embedder_for(settings: Settings):
    from index.embedder import load_embedder

    return load_embedder(settings.model, settings.data_dir, settings.threads)

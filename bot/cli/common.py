"""What every `veileder` command shares: the typer app, the consoles, the settings with command-line
overrides, and the one friendly error line (exit code 2)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="Veileder: answers staff's questions about the municipality's communication rules, from its own strategy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def fail(message: str) -> None:
    """Print "Error: MESSAGE" on stderr and exit with code 2; the message is shown literally (never Rich markup)."""
    err.print(Text.assemble(("Error:", "bold red"), " ", message), highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def command_settings(index: Path | None = None, documents: Path | None = None) -> Settings:
    """The settings (environment, `.env`) with the command's options applied; a bad value ends the
    command with one error line naming it (exit code 2)."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    updates = {}
    if index is not None:
        updates["index_dir"] = index
    if documents is not None:
        updates["documents_dir"] = documents
    return settings.model_copy(update=updates) if updates else settings

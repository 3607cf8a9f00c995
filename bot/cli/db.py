"""`veileder db upgrade|status`: the shared state store's schema (Alembic migrations)."""
from __future__ import annotations

import typer

from bot.cli.common import app, command_settings as _settings, fail as _fail, out
from knowledge.errors import VeilederError

db_app = typer.Typer(help="The shared state store (crisis state, de-duplication claims, sync state, question log).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database's schema to the newest version (also done by `veileder serve` on start)."""
    from bot.store.setup import open_store

    try:
        database = open_store(_settings())
        out.print(f"Database {database.safe_url()} is at schema revision {database.revision()}.", highlight=False, soft_wrap=True)
    except VeilederError as exc:
        _fail(str(exc))


@db_app.command("status")
def status() -> None:
    """Which database is used and its schema revision (without changing anything)."""
    from bot.store.database import Database

    database = Database.from_settings(_settings())
    if not database.ping():
        _fail(f"the database {database.safe_url()} can't be reached")
    revision = database.revision()
    out.print(f"Database {database.safe_url()}: schema revision {revision or 'none (run veileder db upgrade)'}.", highlight=False, soft_wrap=True)

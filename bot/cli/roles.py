"""Leaders' and admins' commands: the role map and crisis mode. Registered on the `veileder` app."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import app, command_settings, fail, out
from knowledge.errors import VeilederError
from knowledge.roles import ROLES, role_name


def _stored(index: Path | None):
    from index.store import IndexError_, load_index

    settings = command_settings(index=index)
    try:
        return settings, load_index(settings.resolved_index_dir())
    except IndexError_ as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@app.command()
def roles(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Municipality key (default: VEILEDER_MUNICIPALITY)"),
    role: Optional[str] = typer.Option(None, "--role", "-r", help="One role; without --municipality: across all municipalities"),
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="media, social_media, crisis, private_person, internal, other"),
    index: Optional[Path] = typer.Option(None, "--index"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Who may say what to whom: each role's rules by topic, with modality and source."""
    from bot.answering.role_map import TOPIC_NAMES, RoleMapError, build_role_map

    settings, stored = _stored(index)
    municipality = municipality or (settings.municipality if role is None else None)
    keys = [municipality] if municipality else sorted(stored.municipalities)
    if not keys:
        fail("the index has no municipalities; build it with 'veileder index'")
    try:
        maps = [build_role_map(stored, key, role, topic) for key in keys]
    except RoleMapError as exc:
        fail(str(exc))
        return
    if as_json:
        data = maps[0].as_dict() if municipality else {"role": role, "municipalities": [m.as_dict() for m in maps]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if role and not municipality:
        table = Table(title=f"{role_name(role, 'nb').capitalize()} – på tvers av kommunene", show_lines=True, expand=True)
        for m in maps:
            table.add_column(m.municipality_name)
        cells = []
        for m in maps:
            lines = []
            for topic_key, rules in m.cells.get(role, {}).items():
                lines.append(f"[bold]{TOPIC_NAMES[topic_key]['nb']}[/]")
                lines += [f"• {escape(r.text)} [dim]({r.modality}; {escape(r.citation.section)}{' › punkt ' + r.citation.item if r.citation.item else ''})[/]" for r in rules]
            cells.append("\n".join(lines) or "[dim]ingen regler[/]")
        table.add_row(*cells)
        out.print(table)
        return
    for m in maps:
        table = Table(title=f"Rollekart – {m.municipality_name}", show_lines=True, expand=True)
        table.add_column("Rolle", style="bold", no_wrap=True)
        table.add_column("Tema", no_wrap=True)
        table.add_column("Regel (kilde)")
        for role_key in m.roles:
            first = True
            for topic_key, rules in m.cells[role_key].items():
                for r in rules:
                    source = f"{r.citation.section}{' › punkt ' + r.citation.item if r.citation.item else ''}"
                    table.add_row(role_name(role_key, "nb").capitalize() if first else "", TOPIC_NAMES[topic_key]["nb"], f"{escape(r.text)}\n[dim]{r.modality} · {escape(source)}[/]")
                    first = False
        out.print(table)


@app.command()
def crisis(
    action: str = typer.Argument(..., help="on, off or status"),
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m"),
    message: Optional[str] = typer.Option(None, "--message", help="What staff are told while crisis mode is on"),
    spokesperson: Optional[str] = typer.Option(None, "--spokesperson", help="Who speaks for the municipality"),
    by: Optional[str] = typer.Option(None, "--by", help="Who switched it (default: your user name)"),
    index: Optional[Path] = typer.Option(None, "--index"),
) -> None:
    """Switch a municipality into crisis mode (or out of it): media answers then lead with the crisis rule."""
    from bot.admin.crisis import CrisisStore
    from bot.store.setup import open_store

    settings = command_settings(index=index)
    try:
        store = CrisisStore(open_store(settings))
    except VeilederError as exc:
        fail(str(exc))
        return
    if action == "status":
        try:
            states = store.status()
        except VeilederError as exc:
            fail(str(exc))
            return
        if not states:
            out.print("Ingen kommune er i krisemodus.")
        for key, state in sorted(states.items()):
            if state.get("on"):
                out.print(f"[bold red]{key}: KRISEMODUS[/] " + escape(f"siden {state.get('since')} (av {state.get('by')}) – {state.get('message')}"
                          + (f" · talsperson: {state['spokesperson']}" if state.get("spokesperson") else "")))
            else:
                out.print(escape(f"{key}: normal (krisemodus av {state.get('off_since')}, av {state.get('off_by')})"))
        return
    if action not in ("on", "off"):
        fail(f"unknown action '{action}'; use on, off or status")
    _, stored = _stored(index)
    municipality = municipality or settings.municipality
    valid = ", ".join(sorted(stored.municipalities))
    if municipality is None:
        fail(f"give --municipality; valid: {valid}")
    if municipality not in stored.municipalities:
        fail(f"unknown municipality '{municipality}'; valid: {valid}")
    who = by or getpass.getuser()
    try:
        if action == "on":
            state = store.switch_on(municipality, message, spokesperson, who)
            out.print("[bold red]Krisemodus PÅ[/] " + escape(f"for {municipality} ({state['since']}, {who})."))
        else:
            store.switch_off(municipality, who)
            out.print(f"Krisemodus AV for {municipality}.")
    except VeilederError as exc:
        fail(str(exc))


__all__ = ["roles", "crisis", "ROLES"]

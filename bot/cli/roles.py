"""Leaders' and admins' commands: the role map and crisis mode. Registered on the `veileder` app."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.cli.common import app, command_settings, err, fail, out
from knowledge.errors import VeilederError
from knowledge.roles import ROLES, role_name
from knowledge.rules import MODALITIES


def _stored(index: Path | None):
    """The settings and the current index; a missing index is built once first (as for `ask`), a
    corrupt one is the friendly error that says how to rebuild it."""
    from index.store import IndexError_, IndexMissing, load_index

    settings = command_settings(index=index)
    index_dir = settings.resolved_index_dir()
    try:
        try:
            return settings, load_index(index_dir)
        except IndexMissing:
            from bot.cli.building import build

            err.print(f"No index in {index_dir} yet: building the index (once)…", highlight=False, soft_wrap=True)
            build(settings)
            return settings, load_index(index_dir)
    except IndexError_ as exc:
        fail(f"{exc} (to rebuild: veileder index --index {index_dir})")
    except VeilederError as exc:  # the build failed: no documents, no model
        fail(str(exc))
    raise AssertionError("unreachable: fail exits")


LANGUAGES = ("nb", "nn", "en")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rule_lines(rule, language: str) -> list[Text]:
    """A rule in full, quoted, indented under its topic, with its modality and source on the line below."""
    from bot.texts import phrase

    source = rule.citation.section + (f" › {phrase('item', language, item=rule.citation.item)}" if rule.citation.item else "")
    modality = phrase(f"modality_{rule.modality}", language) if rule.modality in MODALITIES else rule.modality
    quote = Text(f"«{rule.text}»")
    label = Text(f"{modality} · {source}", style="dim")
    return [quote, label]


def render_role_block(console: Console, heading: str, cells: dict, language: str) -> None:
    """One role (or one municipality under a role): its heading, then each topic with every rule in
    full — wrapped to the console's width, never cut — and its modality and source."""
    from bot.answering.role_map import topic_name
    from bot.texts import phrase

    console.print(Text(heading, style="bold"))
    if not cells:
        console.print(Padding(Text(phrase("roles_none", language), style="dim"), (0, 0, 0, 2), expand=False))
    for topic_key, rules in cells.items():
        console.print(Padding(Text(topic_name(topic_key, language), style="italic"), (0, 0, 0, 2), expand=False))
        for rule in rules:
            quote, label = _rule_lines(rule, language)
            item = Table.grid(padding=(0, 1))
            item.add_column(width=1)
            item.add_column()
            item.add_row("•", quote)
            item.add_row("", label)
            console.print(Padding(item, (0, 0, 0, 4), expand=False))
    console.print()


def render_role_map(console: Console, role_map, language: str = "nb") -> None:
    """`veileder roles -m KEY`: a title, then one block per role (see `render_role_block`)."""
    from bot.texts import phrase

    console.print(Rule(Text(phrase("roles_map_title", language, municipality=role_map.municipality_name), style="bold")))
    for role_key in role_map.roles:
        render_role_block(console, _capital(role_name(role_key, language)), role_map.cells[role_key], language)


def render_role_across(console: Console, role: str, maps: list, language: str = "nb") -> None:
    """`veileder roles -r ROLE`: the role's rules in each municipality, one block per municipality."""
    from bot.texts import phrase

    console.print(Rule(Text(phrase("roles_across", language, role=_capital(role_name(role, language))), style="bold")))
    for m in maps:
        render_role_block(console, m.municipality_name, m.cells.get(role, {}), language)


@app.command()
def roles(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Municipality key (default: VEILEDER_MUNICIPALITY)"),
    role: Optional[str] = typer.Option(None, "--role", "-r", help="One role; without --municipality: across all municipalities"),
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="media, social_media, crisis, private_person, internal, other"),
    language: str = typer.Option("nb", "--language", "-l", help="Labels in nb (bokmål), nn (nynorsk) or en; rules are quoted in the original"),
    index: Optional[Path] = typer.Option(None, "--index"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Who may say what to whom: one block per role, each rule in full by topic, with modality and source."""
    from bot.answering.role_map import RoleMapError, build_role_map

    if language not in LANGUAGES:
        fail(f"unknown language '{language}'; use {', '.join(LANGUAGES)}")
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
        render_role_across(out, role, maps, language)
        return
    for m in maps:
        render_role_map(out, m, language)


def _known_municipality(index: Path | None, municipality: str) -> str:
    """`municipality` as a key the index knows, or the friendly error listing the valid ones."""
    _, stored = _stored(index)
    key = municipality.strip().lower()
    if key not in stored.municipalities:
        fail(f"unknown municipality '{municipality}'; valid: {', '.join(sorted(stored.municipalities))}")
    return key


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
    from bot.texts import DEFAULT_LANGUAGE as language, phrase

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
        municipality = municipality or settings.municipality
        if municipality is not None:
            # One municipality asked about: answer for it, whether or not it was ever switched.
            municipality = _known_municipality(index, municipality)
            states = {municipality: states.get(municipality) or {}}
        elif not states:
            out.print(phrase("crisis_none", language))
        for key, state in sorted(states.items()):
            if not state:
                out.print(phrase("crisis_status_never", language, municipality=key))
                continue
            if state.get("on"):
                spokesperson_line = phrase("crisis_status_spokesperson", language, who=state["spokesperson"]) if state.get("spokesperson") else ""
                out.print(f"[bold red]{phrase('crisis_status_on', language, municipality=key)}[/] " + escape(
                    phrase("crisis_status_on_detail", language, since=state.get("since"), by=state.get("by"), message=state.get("message"))
                    + spokesperson_line))
            else:
                out.print(escape(phrase("crisis_status_off", language, municipality=key, since=state.get("off_since"), by=state.get("off_by"))))
        return
    if action not in ("on", "off"):
        fail(f"unknown action '{action}'; use on, off or status")
    municipality = municipality or settings.municipality
    if municipality is None:
        _, stored = _stored(index)
        fail(f"give --municipality; valid: {', '.join(sorted(stored.municipalities))}")
    municipality = _known_municipality(index, municipality)
    who = by or getpass.getuser()
    try:
        if action == "on":
            state = store.switch_on(municipality, message, spokesperson, who)
            out.print(f"[bold red]{phrase('crisis_switched_on', language)}[/] "
                      + escape(phrase("crisis_switched_on_detail", language, municipality=municipality, since=state["since"], who=who)))
        else:
            store.switch_off(municipality, who)
            out.print(escape(phrase("crisis_switched_off", language, municipality=municipality)))
    except VeilederError as exc:
        fail(str(exc))


__all__ = ["roles", "crisis", "ROLES"]

"""Rendering answers and build reports in a terminal (rich)."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.answer import Answer
from bot.labels import contact_line, label
from knowledge.roles import role_name

def render_answer(console: Console, answer: Answer) -> None:
    lang = answer.language
    style = "bold green" if answer.answered else "bold yellow"
    head = Text(answer.verdict, style=style)
    meta = []
    if answer.municipality_name:
        meta.append(answer.municipality_name)
    if answer.role:
        meta.append(f"{label('role', lang)}: {role_name(answer.role, lang)}")
    meta.append(f"{label('confidence', lang)} {answer.confidence:.0%}")
    console.print(head)
    console.print(Text(" · ".join(meta), style="dim"))
    if answer.crisis:
        lines = [answer.crisis.message]
        if answer.crisis.spokesperson:
            lines.append(f"Talsperson: {answer.crisis.spokesperson}")
        if answer.crisis.rule:
            lines.append(f"«{answer.crisis.rule.text}» — {answer.crisis.rule.citation.label()}")
        console.print(Panel(escape("\n".join(lines)), title="Krisemodus", border_style="red"))
    if answer.rule:
        c = answer.rule.citation
        console.print(Panel(Text(f"«{answer.rule.text}»"), title=label("rule", lang), border_style="cyan"))
        console.print(Text(f"  — {c.label()}", style="cyan"))  # below the box: a long source is never cut off
    if answer.role_rules:
        table = Table(title=label("by_role", lang), show_lines=True, expand=True)
        table.add_column("", style="bold", no_wrap=True)
        table.add_column("")
        for rr in answer.role_rules:
            table.add_row(rr.role_label, f"«{rr.rule.text}»\n[dim]{escape(rr.rule.citation.label())}[/]")
        console.print(table)
    if answer.passages:
        console.print(Text(label("passages", lang), style="bold"))
        for p in answer.passages[:3]:
            text = p.text if len(p.text) <= 400 else p.text[:397] + "…"
            console.print(Text(f"  {text}"))
            console.print(Text(f"  — {p.citation.label()}", style="dim"))
    line = contact_line(answer) if answer.show_contact else None
    if line:
        console.print(Text(f"{label('contact', lang)}: {line}", style="magenta"))


def render_build_report(console: Console, report, index_dir: Path) -> None:
    if report.up_to_date:
        console.print(f"[green]Index is up to date[/] ({report.documents} documents, {report.passages} passages, {report.rules} rules) in {index_dir}")
    else:
        console.print(
            f"[green]Index built[/] in {report.seconds:.1f} s: {report.documents} documents, {report.passages} passages, "
            f"{report.rules} rules ({report.embedded} texts embedded, {report.reused} reused) → {index_dir}"
        )
        for change, items in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
            if items:
                console.print(f"  {change}: {', '.join(items)}")
    if report.formats:
        console.print("  formats: " + ", ".join(f"{n} {suffix}" for suffix, n in report.formats.items()), highlight=False)
    for skipped in report.skipped:
        console.print(f"[yellow]  skipped {skipped.path}: {skipped.reason}[/]", highlight=False, soft_wrap=True)

"""Rendering answers and build reports in a terminal (rich)."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape as markup_escape
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.answering.answer import Answer
from bot.answering.presentation import AnswerView, adviser_note_label
from bot.texts import phrase


def render_answer(console: Console, answer: Answer) -> None:
    """The answer's `AnswerView` in the terminal: the verdict, a meta line, the crisis notice, the
    rule (the source below its box, so a long source is never cut off), the rules by role, the
    passages and the way to a human."""
    view = AnswerView.of(answer)
    lang = view.language
    style = "bold green" if view.answered else "bold yellow"
    console.print(Text(view.verdict, style=style))
    if view.meta:
        console.print(Text(" · ".join(view.meta), style="dim"))
    if view.municipality_notice:
        console.print(Text(view.municipality_notice, style="yellow"))
    if view.crisis:
        crisis = view.crisis
        lines = [crisis.message] if crisis.message else []
        if crisis.spokesperson:
            lines.append(f"{phrase('spokesperson', lang)}: {crisis.spokesperson}")
        if crisis.rule:
            lines.append(f"«{crisis.rule.text}» — {crisis.rule.citation.label()}")
        title = phrase("crisis", lang) + (f" ({phrase('since', lang)} {crisis.since})" if crisis.since else "")
        console.print(Panel(escape("\n".join(lines)), title=escape(title), border_style="red"))
    if view.rule:
        console.print(Panel(Text(f"«{view.rule.text}»"), title=phrase("rule", lang), border_style="cyan"))
        console.print(Text(f"  — {view.rule.citation.label()}", style="cyan"))
    for note in view.adviser_notes:  # below the rule, never as one
        console.print(Panel(Text(note.text), title=escape(adviser_note_label(note, lang)), border_style="magenta"))
        console.print(Text(f"  {phrase('adviser_note_hint', lang)}", style="dim"))
    for alternative in view.alternatives:
        console.print(Panel(Text(f"«{alternative.text}»"), title=phrase("also", lang), border_style="yellow"))
        console.print(Text(f"  — {alternative.citation.label()}", style="yellow"))
    if view.role_rules:
        table = Table(title=phrase("by_role", lang), show_header=False, show_lines=True, expand=True)
        table.add_column("", style="bold", no_wrap=True)
        table.add_column("")
        for rr in view.role_rules:
            table.add_row(escape(rr.role_label), f"«{escape(rr.rule.text)}»\n[dim]{escape(rr.rule.citation.label())}[/]")
        console.print(table)
    if view.passages:
        console.print(Text(phrase("passages", lang), style="bold"))
        for p in view.passages:
            text = p.text if len(p.text) <= 400 else p.text[:397] + "…"
            console.print(Text(f"  {text}"))
            console.print(Text(f"  — {p.citation.label()}", style="dim"))
    if view.contact:
        console.print(Text(f"{phrase('contact', lang)}: {view.contact}", style="magenta"))
    if view.note:
        console.print(Text(view.note, style="dim"))


def render_build_report(console: Console, report, index_dir: Path) -> None:
    if report.up_to_date:
        console.print(f"[green]Index is up to date[/] ({report.documents} documents, {report.passages} passages, {report.rules} rules) in {escape(str(index_dir))}")
    else:
        console.print(
            f"[green]Index built[/] in {report.seconds:.1f} s: {report.documents} documents, {report.passages} passages, "
            f"{report.rules} rules ({report.embedded} {'text' if report.embedded == 1 else 'texts'} embedded, {report.reused} reused) → {escape(str(index_dir))}"
        )
        for change, items in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
            if items:
                console.print(Text(f"  {change}: {', '.join(items)}"))
    if report.formats:
        console.print(Text("  formats: " + ", ".join(f"{n} {suffix}" for suffix, n in report.formats.items())))
    for skipped in report.skipped:
        console.print(Text(f"  skipped {skipped.path}: {skipped.reason}", style="yellow"), soft_wrap=True)

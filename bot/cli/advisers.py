"""Asking an adviser from `veileder chat`, and the communications department's adviser notes.

In the terminal there is no channel to reply in: `/rådgiver [note]` opens a case for the last
answer (the running bot posts it to the advisers' channel, see `bot.serve.adviser_round`), and the
reply is shown at the chat's next prompt. `veileder notes` lists and withdraws adviser notes.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.admin.cases import Case, CaseStore
from bot.answering.answer import Answer
from bot.answering.presentation import ask_adviser_first
from bot.cli.common import app, command_settings, fail, out
from bot.settings import Settings
from bot.texts import DEFAULT_LANGUAGE, phrase

PLATFORM = "cli"
ASK_WORDS = {"/rådgiver", "/radgiver", "/rådgjevar", "/adviser"}


@dataclass
class ChatAdvisers:
    """One chat session's way to the advisers: its last answer and the replies already shown."""

    settings: Settings
    cases: CaseStore | None
    user: str = field(default_factory=getpass.getuser)
    last: Answer | None = None
    shown: set[str] = field(default_factory=set)

    def available(self, answer: Answer) -> bool:
        config = self.settings.advisers_for(answer.municipality)
        return self.cases is not None and config is not None and bool(config.slack_channel or config.teams)

    def offer(self, console: Console, answer: Answer) -> None:
        """After an answer: how to ask an adviser (highlighted when the answer is a refusal, unsure or "it depends")."""
        self.last = answer
        if not self.available(answer):
            return
        lang = answer.language
        style = "bold yellow" if ask_adviser_first(answer) else "dim"
        console.print(Text(f"{phrase('ask_adviser', lang)}: /rådgiver [{phrase('ask_note_label', lang).lower()}]", style=style))

    def wants(self, line: str) -> bool:
        return line.strip().split(" ", 1)[0].lower() in ASK_WORDS

    def ask(self, console: Console, line: str) -> None:
        """`/rådgiver [note]`: a case for the last answer."""
        answer = self.last
        if answer is None or not self.available(answer) or self.cases is None:
            console.print(Text(phrase("ask_unavailable", answer.language if answer else "nb"), style="yellow"))
            return
        note = line.strip().partition(" ")[2]
        self.cases.open_case(
            answer, platform=PLATFORM, asker_id=self.user, asker_name=self.user, reply_to={"terminal": self.user}, asker_note=note or None
        )
        console.print(Text(phrase("ask_sent", answer.language), style="green"))

    def show_replies(self, console: Console) -> None:
        """Replies that came since the last prompt, marked as a person's answer."""
        if self.cases is None:
            return
        for case in self.cases.answered_for(self.user, PLATFORM):
            if case.id in self.shown:
                continue
            self.shown.add(case.id)
            console.print(human_reply_panel(case))


def human_reply_panel(case: Case) -> Panel:
    lang = case.language
    body = Text(case.reply or "")
    body.append("\n" + phrase("human_answer_hint", lang, question=case.question[:200]), style="dim")
    return Panel(body, title=phrase("human_answer", lang, name=case.replied_by_name or ""), border_style="green")


@app.command()
def notes(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Only this municipality"),
    withdraw: Optional[str] = typer.Option(None, "--withdraw", help="Withdraw the note with this id (it leaves the index at the next build)"),
    all_notes: bool = typer.Option(False, "--all", help="Show withdrawn notes too"),
) -> None:
    """The communications department's adviser notes: list them, or withdraw one."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.admin.question_log import QuestionLog

    settings = command_settings()
    try:
        store = CaseStore(QuestionLog.open(settings))
        if withdraw:
            matches = [n for n in store.notes(include_withdrawn=True) if n.id.startswith(withdraw)]
            if len(matches) != 1:
                fail(f"no single note with id '{withdraw}'; `veileder notes` lists them")
            if not store.withdraw_note(matches[0].id, getpass.getuser()):
                fail(f"note {matches[0].id[:8]} is already withdrawn")
            out.print(f"Note {matches[0].id[:8]} withdrawn; it leaves the answers at the next `veileder index`.")
            return
        found = store.notes(municipality, include_withdrawn=all_notes)
    except SQLAlchemyError as exc:
        fail(str(exc).splitlines()[0])
        return
    if not found:
        out.print("No adviser notes yet.")
        return
    lang = DEFAULT_LANGUAGE
    table = Table(title=phrase("notes_title", lang), title_justify="left")
    for column in ("id", "municipality", "date", "by", "question", "answer", "status"):
        table.add_column(phrase(f"notes_{column}", lang))
    for n in found:
        status = phrase("notes_withdrawn" if n.withdrawn_at else "notes_active", lang)
        table.add_row(n.id[:8], n.municipality, n.written_at.strftime("%Y-%m-%d"), n.author_name, n.question, n.text, status)
    out.print(table)

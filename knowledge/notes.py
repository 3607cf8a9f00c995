"""Adviser notes: answers the communications department gave to questions the strategy didn't settle.

A note is its own source type, beside documents: it is indexed (embedded) like a passage but kept
apart, never read as a rule and never used for a verdict. Notes are written and withdrawn in the
question-log database (`bot.admin.cases`); the index holds the notes that were active at its build.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AdviserNote:
    """One signed, dated adviser answer for one municipality.

    `question` is what was asked (what later questions are matched against, with the answer);
    `written_on` an ISO date (YYYY-MM-DD); `author` the adviser's display name.
    """

    id: str
    municipality: str
    question: str
    text: str
    author: str
    written_on: str

    def search_text(self) -> str:
        """What is embedded: the question it answered, then the answer."""
        return f"{self.question}\n{self.text}"

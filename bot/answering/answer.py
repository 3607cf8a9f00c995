"""The answer the engine gives, independent of where it is shown (terminal, Slack, Teams, JSON).

Front ends only render an `Answer`; they decide nothing about its content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge.catalog import Contact


@dataclass(frozen=True)
class Citation:
    """Where a quoted text stands: document, section, item."""

    document: str  # the document's title
    document_id: str
    municipality: str
    municipality_name: str
    section: str
    item: str | None = None
    period: str | None = None
    superseded: bool = False
    page: int | None = None  # the page the text starts on, for documents with pages (PDF)
    url: str | None = None  # where staff can open the document (its SharePoint web URL)

    def label(self) -> str:
        """'Kommunikasjonsstrategi for Østre Toten kommune › Vedlegg 4: … › punkt 7 › s. 21'."""
        parts = [self.document]
        if self.section:
            parts.append(self.section)
        if self.item:
            parts.append(f"punkt {self.item}")
        if self.page:
            parts.append(f"s. {self.page}")
        return " › ".join(parts)


@dataclass(frozen=True)
class MatchedRule:
    """A rule as quoted in an answer: exact text in the original Norwegian, with its source."""

    rule_id: str
    text: str
    modality: str
    roles: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class RoleRule:
    """One role's rule, for "who" questions and for answers that differ by role."""

    role: str
    role_label: str  # in the asker's language
    rule: MatchedRule


@dataclass(frozen=True)
class FoundPassage:
    passage_id: str
    text: str
    citation: Citation
    score: float


@dataclass(frozen=True)
class CrisisNotice:
    """Crisis mode is on for the municipality: this leads every media answer."""

    message: str
    spokesperson: str | None
    since: str
    rule: MatchedRule | None = None


@dataclass(frozen=True)
class AdviserNoteShown:
    """An earlier answer from the communications department to a similar question: shown below the
    rule, labelled as the department's, never as a rule and never part of the verdict."""

    note_id: str
    text: str
    author: str
    written_on: str  # ISO date
    question: str  # the question it answered
    similarity: float


@dataclass(frozen=True)
class Answer:
    """One answer, assembled once by the engine (immutable; `dataclasses.replace` makes a changed copy)."""

    question: str
    language: str  # "nb" | "nn" | "en"
    municipality: str | None
    municipality_name: str | None
    role: str | None
    role_source: str | None  # "question" | "profile" | "option" | None
    answered: bool
    kind: str  # "rule" | "who" | "passages" | "refused"
    verdict: str
    rule: MatchedRule | None
    passages: list[FoundPassage]
    confidence: float
    role_rules: list[RoleRule] = field(default_factory=list)
    alternatives: list[MatchedRule] = field(default_factory=list)  # the other rules to read when "it depends"
    contact: Contact | None = None
    show_contact: bool = False
    crisis: CrisisNotice | None = None
    note: str | None = None  # e.g. "the role was read from your profile title"
    # No municipality was given or configured and the index has several: `municipality` is the one
    # whose rules answered (the best-matching passage's) and these are the keys to choose from.
    unchosen_among: tuple[str, ...] = ()
    municipality_notice: str | None = None  # which municipality answered and how to choose, in the asker's language
    adviser_notes: list[AdviserNoteShown] = field(default_factory=list)  # see bot.answering.adviser_notes
    # what the verdict means for the asker: yes | yes_but | no | must | who | info | refuse (bot/verdicts.STANCES);
    # "info" (no verdict) unless the engine decided one
    stance: str = "info"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `veileder ask --json` (see ../shared/eval/README.md), plus extras."""

        def rule_dict(rule: MatchedRule) -> dict[str, Any]:
            c = rule.citation
            return {
                "id": rule.rule_id,
                "text": rule.text,
                "document": c.document,
                "document_id": c.document_id,
                "municipality": c.municipality,
                "section": c.section,
                "item": c.item,
                "page": c.page,
                "url": c.url,
                "roles": list(rule.roles),
                "modality": rule.modality,
            }

        return {
            "question": self.question,
            "language": self.language,
            "municipality": self.municipality,
            "role": self.role,
            "role_source": self.role_source,
            "answered": self.answered,
            "kind": self.kind,
            "verdict": self.verdict,
            "stance": self.stance,
            "rule": rule_dict(self.rule) if self.rule else None,
            "role_rules": [
                {"role": rr.role, "role_label": rr.role_label, "rule": rule_dict(rr.rule)} for rr in self.role_rules
            ],
            "alternatives": [rule_dict(r) for r in self.alternatives],
            "passages": [
                {
                    "id": p.passage_id,
                    "text": p.text,
                    "document": p.citation.document,
                    "municipality": p.citation.municipality,
                    "section": p.citation.section,
                    "item": p.citation.item,
                    "page": p.citation.page,
                    "url": p.citation.url,
                    "score": round(p.score, 4),
                }
                for p in self.passages
            ],
            "confidence": round(self.confidence, 3),
            "contact": {k: v for k, v in vars(self.contact).items() if v} if self.contact and self.show_contact else None,
            "crisis": (
                {
                    "message": self.crisis.message,
                    "spokesperson": self.crisis.spokesperson,
                    "since": self.crisis.since,
                    "rule": rule_dict(self.crisis.rule) if self.crisis.rule else None,
                }
                if self.crisis
                else None
            ),
            "note": self.note,
            "municipality_chosen": not self.unchosen_among,
            "municipalities": list(self.unchosen_among) or None,
            "municipality_notice": self.municipality_notice,
            "adviser_notes": [
                {"id": n.note_id, "text": n.text, "author": n.author, "date": n.written_on, "question": n.question}
                for n in self.adviser_notes
            ],
        }

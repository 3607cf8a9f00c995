"""Where a quoted text stands, read from the stored index: the one way passages and rules become
`Citation`s and quoted `MatchedRule`s, for answers and for the role map alike."""
from __future__ import annotations

from bot.answering.answer import Citation, MatchedRule
from index.store import StoredIndex
from knowledge.passages import Passage
from knowledge.rules import Rule


def citation_of(stored: StoredIndex, source: Passage | Rule, passage: Passage | None = None) -> Citation:
    """Document title (its id when untitled), section, item, page, period, whether it is superseded,
    and the document's web address. `passage`: the passage a rule stands in, for its page."""
    if isinstance(source, Passage):
        passage = source
    doc = stored.documents.get(source.document_id)
    municipality = stored.municipalities.get(source.municipality)
    return Citation(
        document=stored.title_of(source.document_id),
        document_id=source.document_id,
        municipality=source.municipality,
        municipality_name=municipality.name if municipality else source.municipality,
        section=source.section if isinstance(source, Rule) else source.section_title,
        item=source.item,
        period=doc.period if doc else None,
        superseded=bool(doc and doc.superseded_by),
        page=passage.page if passage else None,
        url=doc.url if doc else None,
    )


def quoted(stored: StoredIndex, source: Passage | Rule, text: str, modality: str, roles: tuple[str, ...]) -> MatchedRule:
    """`text` (a rule, or a sentence of a passage) quoted with the source it stands in."""
    return MatchedRule(source.id, text, modality, roles, citation_of(stored, source))

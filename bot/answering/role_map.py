"""The role map: for a municipality, which rules each role has, by topic — who may say what to whom.

Read straight from the index (rules with their roles, modality and source); no model is needed,
so leaders get it in well under a second. Superseded documents are left out: the map shows the
rules in force.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answering.answer import MatchedRule
from bot.answering.citations import quoted
from bot.texts import phrase
from knowledge.errors import VeilederError
from index.store import StoredIndex
from knowledge.roles import ROLES, find_roles
from knowledge.rules import Rule, role_list_sections, split_sentences

# Topic → words in a rule (or its section) that put it there.
TOPICS: dict[str, str] = {
    "media": r"press|medi(?:a|er|ene|ekontakt)|journalist|avis|leserbrev|intervju|uttal|kommentar|talsperson|vegne",
    "social_media": r"sosiale medi|facebook|twitter|instagram|snapchat|linkedin|blogg|nettverk|kontoer|profiler",
    "crisis": r"kris|beredskap|hendelse",
    "private_person": r"privatperson|ytringsfrihet|samfunnsdebatt|ytre seg|personlige ytringer|egne vegne|partipolitiker|fristilt|bundet av|omfattes ikke",
    "internal": r"intern|intranett|ansattportal|informert|kjent med|dele relevant|medarbeidere",
}
TOPIC_ORDER = ("media", "social_media", "crisis", "private_person", "internal", "other", "described")


def topic_name(topic: str, language: str) -> str:
    """The topic's name in `language` (nb, nn, en; bokmål for any other), from bot.texts."""
    return phrase(f"topic_{topic}", language)


_MENTIONS_SHOWN = 3
_TOPIC_RES = {topic: re.compile(pattern, re.IGNORECASE) for topic, pattern in TOPICS.items()}


class RoleMapError(VeilederError, ValueError):
    """Unknown municipality, role or topic; the message lists the valid ones."""


def _entry(rule: MatchedRule) -> dict:
    """A role-map entry as `veileder roles --json` prints it."""
    c = rule.citation
    return {
        "id": rule.rule_id, "text": rule.text, "modality": rule.modality, "roles": list(rule.roles),
        "document": c.document, "section": c.section, "item": c.item,
    }


@dataclass
class RoleMap:
    municipality: str
    municipality_name: str
    cells: dict[str, dict[str, list[MatchedRule]]] = field(default_factory=dict)  # role → topic → rules

    @property
    def roles(self) -> list[str]:
        return [r for r in ROLES if r in self.cells]

    def as_dict(self) -> dict:
        return {
            "municipality": self.municipality,
            "municipality_name": self.municipality_name,
            "roles": {
                role: {topic: [_entry(r) for r in rules] for topic, rules in self.cells[role].items()}
                for role in self.roles
            },
        }


def topics_of(rule: Rule) -> list[str]:
    """The topics a rule speaks to; 'other' when none."""
    text = f"{rule.section} {rule.text}"
    found = [topic for topic, pattern in _TOPIC_RES.items() if pattern.search(text)]
    return found or ["other"]


def _current_rules(stored: StoredIndex, municipality: str, described: bool = False) -> list[Rule]:
    """The municipality's rules for a role (`described`: or for whom they describe, `Rule.holder`) from its
    current documents."""
    return [
        r for r in stored.rules
        if r.municipality == municipality and (r.roles or (described and r.holder)) and not stored.is_superseded(r.document_id)
    ]


def build_role_map(stored: StoredIndex, municipality: str, role: str | None = None, topic: str | None = None) -> RoleMap:
    """The map for one municipality, optionally one role and/or one topic."""
    municipalities = sorted(stored.municipalities) or sorted({p.municipality for p in stored.passages})
    if municipality not in municipalities:
        raise RoleMapError(f"Unknown municipality '{municipality}'. Valid: {', '.join(municipalities)}")
    if role is not None and role not in ROLES:
        raise RoleMapError(f"Unknown role '{role}'. Valid: {', '.join(ROLES)}")
    if topic is not None and topic not in TOPIC_ORDER:
        raise RoleMapError(f"Unknown topic '{topic}'. Valid: {', '.join(TOPIC_ORDER)}")
    info = stored.municipalities.get(municipality)
    role_map = RoleMap(municipality, info.name if info else municipality)
    order = {p.id: p.order for p in stored.passages}
    role_lists = role_list_sections(stored.rules)
    # The per-role rule lists lead each cell ("Øvrige ansatte kan …" before a rule that mentions staff).
    for rule in sorted(
        _current_rules(stored, municipality),
        key=lambda r: ((r.document_id, r.section) not in role_lists, r.document_id, order.get(r.passage_id, 0), r.id),
    ):
        entry = quoted(stored, rule, rule.text, rule.modality, rule.roles)
        for rule_role in rule.roles:
            if role is not None and rule_role != role:
                continue
            for rule_topic in topics_of(rule):
                if topic is not None and rule_topic != topic:
                    continue
                cell = role_map.cells.setdefault(rule_role, {}).setdefault(rule_topic, [])
                if entry not in cell:
                    cell.append(entry)
    if topic in (None, "described"):
        _add_described_roles(stored, role_map, role)
    for cells in role_map.cells.values():
        ordered = {t: cells[t] for t in TOPIC_ORDER if t in cells}
        cells.clear()
        cells.update(ordered)
    return role_map


def _add_described_roles(stored: StoredIndex, role_map: RoleMap, only: str | None) -> None:
    """Roles the documents mention but give no rule of their own ("Ordføreren er kommunens øverste
    politiske leder …") still belong on the map, with the sentences that describe them."""
    for passage in stored.passages:
        if passage.municipality != role_map.municipality or passage.kind in ("section", "outline"):
            continue
        if stored.is_superseded(passage.document_id):
            continue
        for sentence in split_sentences(passage.text):
            for mention in find_roles(sentence):
                role = mention.role
                if (only and role != only) or (role in role_map.cells and "described" not in role_map.cells[role]):
                    continue
                cell = role_map.cells.setdefault(role, {}).setdefault("described", [])
                if len(cell) < _MENTIONS_SHOWN and all(r.text != sentence for r in cell):
                    cell.append(quoted(stored, passage, sentence, "described", (role,)))


def crisis_rule(stored: StoredIndex, municipality: str) -> MatchedRule | None:
    """The municipality's rule for who informs in a crisis (Østre Toten: ordfører/kommunedirektør;
    Bærum: the leader of the crisis handling); for a strategy that only points to its
    beredskapsplan (Modum), that passage."""
    candidates = [r for r in _current_rules(stored, municipality, described=True) if "crisis" in topics_of(r)]
    preferred = sorted(
        candidates,
        # a rule naming whom it describes ("Den som leder krisehåndteringen …", `Rule.holder`) names the holder too
        key=lambda r: (r.modality != "responsible", not ({"mayor", "chief_executive", "leader"} & set(r.roles) or r.holder)),
    )
    if preferred:
        r = preferred[0]
        return quoted(stored, r, r.text, r.modality, r.roles)
    for p in stored.passages:
        if p.municipality == municipality and re.search(r"kris\w*\b.*beredskapsplan|beredskapsplan.*kris", p.text, re.I):
            if not stored.is_superseded(p.document_id):
                sentence = next((s for s in re.split(r"(?<=\.)\s+", p.text) if "beredskapsplan" in s.lower()), p.text)
                return quoted(stored, p, sentence, "responsible", ())
    return None

"""The answer card: what Teams shows for an `Answer` from the real engine (hashing embedder)."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Iterator

import pytest

from bot.answering.answer import CrisisNotice
from bot.answering.presentation import AnswerView
from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.answering.engine import AnswerEngine
from bot.teams.app import answer_message
from bot.teams.cards import MAX_CARD_BYTES, answer_card, answer_text, card_size
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import load_knowledge
from tests.conftest import hashing_settings

OSTRE_TOTEN = "ostre-toten"
PRESS_QUESTION = "Kan jeg gi faktaopplysninger og vurderinger til pressen?"
TEAMS_MESSAGE_LIMIT = 28 * 1024

# What Adaptive Cards 1.5 defines (https://adaptivecards.io/explorer/); Teams renders up to 1.5.
CARD_ELEMENTS = {
    "TextBlock", "RichTextBlock", "Image", "Media", "Container", "ColumnSet", "Column", "FactSet",
    "ImageSet", "ActionSet", "Table", "TableRow", "TableCell", "Input.Text", "Input.Number",
    "Input.Date", "Input.Time", "Input.Toggle", "Input.ChoiceSet",
}
CARD_ACTIONS = {"Action.OpenUrl", "Action.Submit", "Action.ShowCard", "Action.ToggleVisibility"}


def nodes(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    yield from walk(card.get("body", []))
    yield from walk(card.get("actions", []))


def shown_texts(card: dict[str, Any]) -> list[str]:
    """The texts visible before anything is expanded."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("isVisible") is False:
                return
            if node.get("type") == "TextBlock":
                texts.append(unescaped(node["text"]))
            for key, value in node.items():
                if key != "selectAction":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card["body"])
    return texts


@pytest.fixture
def unit_leader_answer(engine):
    return engine.ask(PRESS_QUESTION, municipality=OSTRE_TOTEN, profile_role="unit_leader")


@pytest.fixture
def by_role_answer(engine):
    return engine.ask(PRESS_QUESTION, municipality=OSTRE_TOTEN)


def test_the_card_shows_the_verdict_the_rule_and_where_it_stands(unit_leader_answer):
    answer = unit_leader_answer
    card = answer_card(answer, "question-1")

    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = shown_texts(card)
    assert texts[0] == answer.verdict
    assert f"«{answer.rule.text}»" in texts
    assert f"Kilde: {answer.rule.citation.label()}" in texts
    assert "punkt 6" in answer.rule.citation.label()
    assert any("Din rolle: enhetsledere (fra profilen din)" in t for t in texts)


def test_the_feedback_buttons_carry_the_question_id(unit_leader_answer):
    helpful, not_helpful = answer_card(unit_leader_answer, "question-1")["actions"]

    assert (helpful["type"], helpful["title"]) == ("Action.Submit", "👍 Nyttig")
    assert (not_helpful["type"], not_helpful["title"]) == ("Action.Submit", "👎 Ikke nyttig")
    assert helpful["data"] == {"action": "veileder_feedback", "question_id": "question-1", "helpful": True, "language": "nb"}
    assert not_helpful["data"]["helpful"] is False


def test_without_a_stored_question_there_are_no_feedback_buttons(unit_leader_answer):
    assert "actions" not in answer_card(unit_leader_answer, None)


def test_when_the_rule_differs_by_role_each_roles_rule_is_shown_once(by_role_answer):
    answer = by_role_answer
    assert len(answer.role_rules) >= 2
    texts = shown_texts(answer_card(answer, "q"))

    assert "Per rolle" in texts
    for rr in answer.role_rules:
        assert rr.role_label in texts
        assert texts.count(f"«{rr.rule.text}»") == 1
        assert f"Kilde: {rr.rule.citation.label()}" in texts


def test_passages_are_collapsed_and_expand_on_click(unit_leader_answer):
    card = answer_card(unit_leader_answer, "q")
    toggles = [n["selectAction"] for n in nodes(card) if n.get("selectAction", {}).get("type") == "Action.ToggleVisibility"]
    by_id = {n["id"]: n for n in nodes(card) if "id" in n}

    shown = AnswerView.of(unit_leader_answer).passages
    assert 0 < len(toggles) == len(shown)
    for toggle, passage in zip(toggles, shown):
        (target,) = toggle["targetElements"]
        hidden = by_id[target]
        assert hidden["isVisible"] is False
        assert hidden["items"][0]["text"] == passage.text
    assert any(f"▸ {p.citation.label()}" in shown_texts(card) for p in unit_leader_answer.passages)
    assert len(by_id) == len([n for n in nodes(card) if "id" in n]), "element ids are unique"


def test_the_communications_contact_is_shown_when_the_answer_sends_the_asker_to_a_human(engine):
    refused = engine.ask("Hva blir været i helgen?", municipality=OSTRE_TOTEN)
    assert refused.show_contact

    texts = shown_texts(answer_card(refused, "q"))

    assert "Spør gjerne: Kommunikasjonsavdelingen · https://www.ostre-toten.kommune.no" in texts
    assert not any(t.startswith("«") for t in texts), "no rule is quoted when there is none"


def test_no_contact_when_the_answer_does_not_call_for_it(unit_leader_answer):
    assert not unit_leader_answer.show_contact
    assert not any(t.startswith("Spør gjerne") for t in shown_texts(answer_card(unit_leader_answer, "q")))


def test_a_crisis_notice_leads_the_card_of_any_answer(unit_leader_answer):
    answer = replace(
        unit_leader_answer,
        crisis=CrisisNotice("Brann ved Lena skole. Ikke uttal deg til media.", "ordfører Anne Hagen", "2025-03-04T08:00:00+0100"),
    )

    first = answer_card(answer, "q")["body"][0]

    assert first["style"] == "attention"
    assert [i["text"] for i in first["items"]] == [
        "⚠️ Krisemodus (siden 2025-03-04T08:00:00+0100)",
        "Brann ved Lena skole. Ikke uttal deg til media.",
        "Talsperson: ordfører Anne Hagen",
    ]


def test_in_crisis_mode_a_media_answer_says_so_once(settings, tmp_path):
    crisis = CrisisStore(open_store(settings))
    crisis.switch_on(OSTRE_TOTEN, "Brann ved Lena skole. Ikke uttal deg til media.", "ordfører Anne Hagen", by="test")
    engine = AnswerEngine(settings, embedder=HashingEmbedder(), crisis=crisis)
    answer = engine.ask(PRESS_QUESTION, municipality=OSTRE_TOTEN)
    assert answer.crisis is not None and answer.crisis.message in answer.verdict

    card = answer_card(answer, "q")
    texts = shown_texts(card)

    assert card["body"][0]["style"] == "attention" and texts[0].startswith("⚠️ Krisemodus (siden ")
    assert texts[1].startswith("«Ved større hendelser/kriser")  # the municipality's own crisis rule leads
    assert answer.verdict in texts[2:4]
    assert sum(t.count("Brann ved Lena skole") for t in texts) == 1
    assert card["fallbackText"].count("Brann ved Lena skole") == 1


def test_the_card_speaks_the_askers_language(engine):
    english = engine.ask("Can I give facts and assessments to the press about my unit?", municipality=OSTRE_TOTEN)
    assert english.language == "en"
    card = answer_card(english, "q")
    texts = shown_texts(card)

    assert [a["title"] for a in card["actions"]] == ["👍 Helpful", "👎 Not helpful"]
    assert not any(t.startswith(("Kilde", "Regelen", "Spør gjerne", "Fra dokumentene")) for t in texts)
    nynorsk = replace(english, language="nn")
    assert "Ikkje nyttig" in answer_card(nynorsk, "q")["actions"][1]["title"]


def test_the_card_uses_only_adaptive_cards_1_5(unit_leader_answer, by_role_answer):
    for answer in (unit_leader_answer, by_role_answer):
        card = answer_card(answer, "q")
        for node in nodes(card):
            kind = node.get("type")
            if kind is not None:
                assert kind in CARD_ELEMENTS | CARD_ACTIONS, kind
        json.dumps(card)  # plain JSON


def test_the_plain_text_fallback_has_the_verdict_and_the_rule_with_its_source(unit_leader_answer):
    answer = unit_leader_answer
    text = answer_text(answer)
    card = answer_card(answer, "q")

    assert text.splitlines()[0] == answer.verdict
    assert f"«{answer.rule.text}» — {answer.rule.citation.label()}" in text
    assert card["fallbackText"] == text
    assert answer_message(answer, "q").summary.startswith(answer.verdict[:50])


def test_a_very_long_answer_is_shortened_to_fit_in_a_teams_message(by_role_answer):
    long = "Ansatte skal alltid avklare med nærmeste leder før de uttaler seg om saker på vegne av kommunen. "
    answer = replace(
        by_role_answer,
        verdict=long * 40,
        rule=replace(by_role_answer.rule, text=long * 300),
        role_rules=[replace(rr, rule=replace(rr.rule, text=long * 200)) for rr in by_role_answer.role_rules] * 10,
        passages=[replace(p, text=long * 200) for p in by_role_answer.passages],
        crisis=CrisisNotice("Krisemelding: " + long * 40, "kommunedirektøren", "2025-03-04"),
        note=long * 20,
    )

    card = answer_card(answer, "q")
    message = answer_message(answer, "q").model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")

    assert card_size(card) <= MAX_CARD_BYTES
    assert len(json.dumps(message).encode()) < TEAMS_MESSAGE_LIMIT
    texts = shown_texts(card)
    assert texts[1].startswith("Krisemelding") and texts[1].endswith("…"), "the crisis message is shortened"
    assert texts[3].endswith("…"), "the verdict is shortened"
    assert any(t.startswith("«") and t.endswith("…»") for t in texts), "quoted rules are shortened"
    assert [a["data"]["question_id"] for a in card["actions"]] == ["q", "q"], "the feedback buttons stay"


def test_an_ordinary_answer_is_not_shortened(by_role_answer):
    texts = shown_texts(answer_card(by_role_answer, "q"))
    assert not any(t.endswith("…") or t.endswith("…»") for t in texts)
    assert card_size(answer_card(by_role_answer, "q")) < MAX_CARD_BYTES // 2


# -- document text is data, never Markdown ----------------------------------------------------

HOSTILE_DOCUMENT = """Retningslinjer for pressekontakt

Les mer om pressekontakt: se [klikk](javascript:alert(1)) og [Kommunens retningslinjer](https://evil.example/phish).
7. Ansatte kan uttale seg til pressen om eget fagfelt, men skal ikke gi _private_ vurderinger.
2024. Ansatte skal henvise politiske spørsmål til ordføreren, se https://evil.example/mer.
- Ansatte kan dele **offisielle** saker i sosiale medier.
"""
_LINK_RE = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\s*(?<!\\)\(")
_BARE_LINK_RE = re.compile(r"(?i)\b(?:https?|javascript|www)(?<!\\)[:.](?!\\)")
_LIST_LINE_RE = re.compile(r"^\s*(?:\d+[.)]|[-+*])(?:\s|$)", re.MULTILINE)
_EMPHASIS_RE = re.compile(r"(?<![\\\w])(?:_|\*)(?=\S)")


def renders_as_markup(text: str) -> list[str]:
    """What Teams' Markdown would turn `text` into other than plain text: links, lists, emphasis."""
    found = []
    if _LINK_RE.search(text) or _BARE_LINK_RE.search(text):
        found.append("link")
    if _LIST_LINE_RE.search(text):
        found.append("list")
    if _EMPHASIS_RE.search(text):
        found.append("emphasis")
    return found


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture
def hostile_engine(tmp_path):
    docs = tmp_path / "docs" / "testby"
    docs.mkdir(parents=True)
    (docs / "presse.txt").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    settings = hashing_settings(tmp_path, documents_dir=docs.parent)
    build_index(load_knowledge(docs.parent), HashingEmbedder(), settings.resolved_index_dir())
    return AnswerEngine(settings, embedder=HashingEmbedder())


@pytest.mark.parametrize("question", [
    "Kan jeg uttale meg til pressen om private vurderinger?",
    "Hvor finner jeg kommunens retningslinjer for pressekontakt?",
    "Hvem svarer på politiske spørsmål?",
])
def test_a_documents_links_numbered_lines_and_emphasis_show_as_written_in_every_text_block(hostile_engine, question):
    answer = hostile_engine.ask(question, municipality="testby")
    card = answer_card(answer, "q1")
    blocks = [node["text"] for node in nodes(card) if node.get("type") == "TextBlock"]
    shown = " ".join(unescaped(b) for b in blocks)

    assert any(marker in shown for marker in ("[klikk]", "7. Ansatte", "2024. Ansatte", "_private_")), shown
    for block in blocks:
        assert renders_as_markup(block) == [], block
    message = answer_message(answer, "q1")
    assert renders_as_markup(message.summary) == []
    assert message.text_format == "plain" and message.text == answer_text(answer, 600)
    assert "javascript" not in json.dumps([a for n in nodes(card) for k, a in n.items() if k == "url"])


def test_the_escaping_keeps_every_character_of_the_document():
    from bot.teams.markdown import escape_markdown

    for line in HOSTILE_DOCUMENT.splitlines():
        assert unescaped(escape_markdown(line)) == line

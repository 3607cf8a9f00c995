"""A staff member asks: the engine answers with a rule, a verdict, passages — or says it doesn't know."""
from __future__ import annotations

import json

import pytest

from bot.answering.engine import AnswerEngine, EngineError, UnknownMunicipality, UnknownRole
from bot.answering.language import detect_language
from bot.answering.questions import QuestionError, read_question
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import load_knowledge
from tests.conftest import hashing_settings
from tests.documents import small_library


def test_an_answer_has_the_contract_fields(engine):
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    data = json.loads(json.dumps(answer.to_dict()))
    assert {"language", "municipality", "role", "answered", "verdict", "rule", "passages", "confidence"} <= set(data)
    assert data["language"] == "nb" and data["municipality"] == "ostre-toten" and data["role"] == "employee"
    assert data["answered"] is True and data["passages"]
    for passage in data["passages"]:
        assert {"text", "document", "municipality", "section", "score"} <= set(passage)
        assert passage["municipality"] == "ostre-toten"
    if data["rule"]:
        assert {"text", "document", "municipality", "section", "item", "roles", "modality"} <= set(data["rule"])


@pytest.mark.parametrize("question", ["", "   ", "\x00\x01\x02", "?!"])
def test_an_empty_question_gets_a_friendly_error(engine, question):
    with pytest.raises(QuestionError, match="empty"):
        engine.ask(question)


def test_a_huge_question_gets_a_friendly_error(engine):
    with pytest.raises(QuestionError, match="characters long"):
        engine.ask("Kan jeg uttale meg til pressen? " * 2000)


def test_control_characters_are_removed(engine):
    answer = engine.ask("Kan jeg\x00 uttale\x1b meg til\u200b pressen?", municipality="ostre-toten")
    assert answer.question == "Kan jeg uttale meg til pressen?"


def test_unknown_municipality_and_role_list_the_valid_ones(engine):
    with pytest.raises(UnknownMunicipality, match="asker, baerum, modum, ostre-toten"):
        engine.ask("Kan jeg uttale meg?", municipality="atlantis")
    with pytest.raises(UnknownRole, match="unit_leader"):
        engine.ask("Kan jeg uttale meg?", role="king")


def test_a_role_stated_in_the_question_wins_over_the_profile_and_the_option(engine):
    answer = engine.ask("Jeg er enhetsleder. Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee", profile_role="comms")
    assert (answer.role, answer.role_source) == ("unit_leader", "question")
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee", profile_role="comms")
    assert (answer.role, answer.role_source) == ("comms", "profile")
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    assert (answer.role, answer.role_source) == ("employee", "option")


def test_questions_outside_communication_are_refused_and_point_to_the_advisers(engine):
    for question in ("Hvor mange feriedager har jeg igjen?", "How do I reset my password?"):
        answer = engine.ask(question, municipality="ostre-toten")
        assert answer.answered is False and answer.rule is None and answer.kind == "refused"
        assert answer.show_contact and answer.contact and answer.contact.unit == "Kommunikasjonsavdelingen"
    assert "kommunikasjonsrådgiverne" in engine.ask("Hvor mange feriedager har jeg igjen?", municipality="ostre-toten").verdict
    assert "communications advisers" in engine.ask("How do I reset my password?", municipality="ostre-toten").verdict


def test_the_default_municipality_comes_from_the_settings(settings):
    engine = AnswerEngine(settings.model_copy(update={"municipality": "modum"}), embedder=HashingEmbedder())
    assert engine.ask("Hvem uttaler seg på vegne av kommunen?").municipality == "modum"


def test_language_detection():
    assert detect_language("Kan jeg uttale meg til pressen?") == "nb"
    assert detect_language("Kan eg uttale meg til pressa?") == "nn"
    assert detect_language("Kven snakkar for kommunen i ei krise?") == "nn"
    assert detect_language("Can I post photos of patients from work?") == "en"
    # bokmål that shares every word with nynorsk is answered in bokmål
    assert detect_language("Kan ordføreren uttale seg på vegne av kommunen?") == "nb"
    assert detect_language("Kan kommunen nekte meg å skrive i avisa som privatperson?") == "nb"
    assert detect_language("Kan jeg dele kommunens innlegg på facebooksida mi?") == "nb"
    assert detect_language("kan eg skrive på facebook at sjefen min er udugeleg?") == "nn"


def test_what_kind_of_answer_a_question_wants():
    assert read_question("Hvem gir politiske kommentarer?").intent == "who"
    assert read_question("Who speaks for us in a crisis?").intent == "who"
    assert read_question("Har jeg lov til å snakke med pressen?").intent == "permission"
    assert read_question("Må jeg si at jeg uttaler meg som privatperson?").intent == "obligation"
    assert read_question("Hva er de fem prinsippene?").intent == "open"


def test_the_first_question_builds_a_missing_index(tmp_path):
    docs = small_library(tmp_path / "docs")
    settings = hashing_settings(tmp_path, documents_dir=docs)

    def build(engine: AnswerEngine) -> None:
        build_index(load_knowledge(docs), engine.embedder, settings.resolved_index_dir())

    engine = AnswerEngine(settings, embedder=HashingEmbedder(), on_missing_index=build)
    answer = engine.ask("Kan ansatte kommentere personalsaker i media?", municipality="testby")
    assert answer.passages


def test_no_index_is_a_clear_error(tmp_path):
    engine = AnswerEngine(hashing_settings(tmp_path), embedder=HashingEmbedder())
    with pytest.raises(EngineError, match="veileder index"):
        engine.ask("Kan jeg uttale meg?")


def test_a_new_index_is_picked_up_without_a_restart(tmp_path):
    docs = small_library(tmp_path / "docs")
    settings = hashing_settings(tmp_path, documents_dir=docs)
    build_index(load_knowledge(docs), HashingEmbedder(), settings.resolved_index_dir())
    engine = AnswerEngine(settings, embedder=HashingEmbedder())
    first = engine.retriever().stored.generation
    (docs / "testby" / "nytt.txt").write_text("Droner\n\nDroner skal ikke brukes til å filme ansatte uten samtykke.\n")
    build_index(load_knowledge(docs), HashingEmbedder(), settings.resolved_index_dir())
    answer = engine.ask("Kan jeg filme ansatte med drone?", municipality="testby")
    assert engine.retriever().stored.generation != first
    assert any("Droner" in p.text for p in answer.passages)

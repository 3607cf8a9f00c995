"""Staff ask as they would, and no answer takes a stance the documents say would mislead them (issue 9).

The questions (bench/safety_questions.jsonl) were written about the bundled documents by someone who
had not seen the method, each with the stances the documents allow and those that would mislead
(README "Quality"). Every question that once went the wrong way was fixed looking at it, so the
count held here is in-sample; the held-out figures are in the README.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.model
SAFETY = Path(__file__).resolve().parents[2] / "bench" / "safety_questions.jsonl"
# z035 (an eighth fresh session's): "Eg er fagarbeidar på ein bustad … Budstikka ringde og spurde om ein bebuar …
# Kan eg svare dei?" is refused — no word of the communication domain but a newspaper's name, and no passage close
# enough. A refusal, not a verdict; left as a known miss. (kc051, a twelfth session's "Må jeg ha passord for å
# komme inn på ansattportalen hjemmefra?", was refused as an IT matter until whether a password is needed counted
# as the channel's access policy; the portal's rule says "uten passord".) ke034 (a thirteenth session's): "We're
# writing information for residents … Should we also make an English version?" is refused: an English question whose passages match weakly ("Engelsk er prioritert
# andrespråk …" is found, below the threshold); a refusal too. (kg039, a fourteenth session's question on internal news
# and a password, was refused the same way until a password stopped counting as a fact never answered.) ko015 (an
# eighteenth session's): "A journalist from Budstikka wants an interview … Can I let one of my nurses do the interview
# instead of me?" is refused, an English question whose passages match weakly, like ke034; a refusal too; so is kq042
# (a nineteenth session's) "Is Bærum's internal staff magazine still 'På innsiden'? …", which the superseded strategy
# names and the current one answers with another name.
KNOWN_MISSES = 4


def test_staff_questions_get_no_stance_the_documents_say_would_mislead(real_engine):
    questions = [json.loads(line) for line in SAFETY.read_text(encoding="utf-8").splitlines() if line.strip()]
    wrong_way = []
    for q in questions:
        answer = real_engine.ask(q["question"], q["municipality"], q["role"])
        if answer.stance in q["bad"]:
            wrong_way.append((q["id"], q["question"], answer.stance, answer.verdict))
    assert len(questions) >= 1490
    assert len(wrong_way) <= KNOWN_MISSES, wrong_way


def test_an_employee_asking_whether_the_boss_may_stop_them_is_never_told_yes(real_engine):
    answer = real_engine.ask("Kan lederen min hindre meg i å skrive leserinnlegg som privatperson?", "ostre-toten", "employee")
    assert answer.stance not in ("yes", "yes_but")
    assert answer.rule is not None and "ytringsfrihet" in answer.rule.text

"""Never a confident wrong verdict: the stance rules on small hand-made rule sets (no model).

A staff member asks "may I …?"; the candidate rules for their role are given as the matcher would
score them, and the verdict must not say more than those rules allow together.
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from bot.answering.answer import Answer
from bot.answering.matching import (
    ScoredRule, current_rules_first, described_holder, grants, grants_for, holders, other_domain, role_entries, same_domain,
)
from bot.answering.questions import asked_sentence, question_form, read_question
from bot.answering.stance import answers_the_premise, names_all_it_forbids, answers_whether_only, decide, for_a_crisis_not_asked, freedoms_it_limits, names_the_act, prohibition_over_freedom, names_the_limit, prohibitions_about, referred_elsewhere, rules_naming, situational
from bot.answering.tuning import DEFAULT
from bot.answering.verdicts import STANCE_OF, STANCES, verdict_key, verdict_text
from bot.texts import TABLES
from knowledge.rules import Rule

MIN_SIMILARITY = 0.80


def rule(text: str, modality: str, roles: tuple[str, ...] = ("employee",), document: str = "kommune/strategi.txt", **flags) -> Rule:
    return Rule(
        id=f"{document}:{abs(hash(text)) % 10_000}:0",
        text=text,
        modality=modality,
        roles=roles,
        passage_id=f"{document}:{abs(hash(text)) % 10_000}",
        document_id=document,
        municipality="kommune",
        section="Medier",
        item=None,
        **flags,
    )


def scored(r: Rule, score: float, similarity: float = 0.86, fit: int = 3, shared: float = 0.4, on_topic: bool = True) -> ScoredRule:
    """A candidate whose shared words are all about what was asked (none only says who asks)."""
    return ScoredRule(r, score, similarity, fit, on_topic, shared, topic_shared=shared)


MAY_SPEAK = rule("Ansatte kan uttale seg til media om eget fagfelt.", "may")
MAY_SPEAK_LIMITED = rule("Ansatte kan gi faktaopplysninger, men skal ikke gi vurderinger.", "may", restricted=True)
MUST_NOT_SPEAK = rule("Ansatte skal ikke uttale seg til media om personalsaker.", "must_not")
MUST_NOT_TITLE = rule("Kommunal stillingstittel skal ikke benyttes.", "must_not")
NEGATIVE_ADVICE = rule("Pass på at pasienter ikke kommer med på bilder.", "should", roles=())


def words(text: str) -> set[str]:
    """Index words as a stemmer would give them, near enough for these tests: the first five letters."""
    return {w[:5] for w in text.lower().replace(",", " ").replace("?", " ").split() if len(w) > 3}


def ask(question: str, candidates: list[ScoredRule], role: str | None = "employee", confidence: float = 0.8, **told):
    parsed = read_question(question)
    for_situation = situational(candidates[0], candidates, words(parsed.situation), words, MIN_SIMILARITY)
    return decide(
        candidates[0], candidates, parsed.intent, parsed.yes_no, role, confidence, MIN_SIMILARITY, DEFAULT,
        asked_sentence(parsed.text), question=question,
        restricting=parsed.restricting, validity=parsed.validity, for_situation=tuple(for_situation),
        asks_about_limit=names_the_limit(question, candidates[0].rule, words),
        about_prohibitions=tuple(
            prohibitions_about(candidates[0], candidates, words(parsed.about), words, role, MIN_SIMILARITY)
        ),
        naming_about=rules_naming(candidates, words(parsed.about), words),
        limited_freedoms=freedoms_it_limits(candidates[0], candidates, words(asked_sentence(parsed.text)), words),
        answers_premise=answers_the_premise(
            asked_sentence(parsed.text), candidates[0].rule, words, told=parsed.text.replace(asked_sentence(parsed.text), " ")
        ),
        **told,
    )


def test_a_permission_no_other_rule_limits_is_a_yes():
    assert ask("Kan jeg uttale meg til media?", [scored(MAY_SPEAK, 0.9)]).stance == "yes"


def test_a_permission_with_its_limit_is_yes_but():
    assert ask("Kan jeg uttale meg til media?", [scored(MAY_SPEAK_LIMITED, 0.9)]).stance == "yes_but"


def test_a_question_about_what_a_permissions_limit_keeps_gets_no_yes_however_the_limit_is_written():
    # "Kan jeg delegere ansvaret …?" against "Ledere kan delegere til fagpersoner å uttale seg, men det
    # overordnede ansvaret tilhører lederen": the "men" clause is the answer, not a "yes, but"
    delegate = scored(
        rule("Ledere kan delegere til fagpersoner å uttale seg, men det overordnede ansvaret tilhører lederen.", "may",
             roles=("leader",), restricted=True), 0.9,
    )
    assert ask("Kan jeg som leder delegere ansvaret for informasjonen til en rådgiver?", [delegate], role="leader").stance == "info"
    assert ask("Kan jeg som leder delegere intervjuet til en fagperson?", [delegate], role="leader").stance == "yes_but"
    # a "kan" after the "men" is no permission with a limit: "…, men må være bevisst på hvordan det kan oppfattes"
    aware = rule("Tillitsvalgte er ikke bundet av strategien, men må være bevisst på hvordan uttalelser kan oppfattes.", "may")
    assert not names_the_limit("Kan jeg uttale meg kritisk?", aware, words)


def test_an_employee_asking_to_say_what_they_think_gets_no_no_from_a_rule_not_written_for_them():
    # "Ikke gi dine egne vurderinger …" is for those who run the municipality's accounts; a teacher saying
    # what she thinks in the comment field has her freedom of expression
    accounts = scored(rule("Ikke gi dine egne vurderinger av saker som er til politisk behandling.", "must_not", roles=()), 0.9, fit=1)
    question = "Eg er lærar. Kan eg skrive kva eg meiner om ei sak som er til politisk handsaming i kommentarfeltet?"
    assert ask(question, [accounts]).stance == "info"
    assert ask("Kan jeg skrive om en sak som er til politisk behandling i kommentarfeltet?", [accounts]).stance == "no"
    written_for_them = scored(accounts.rule, 0.9, fit=3)
    assert ask("Kan jeg skrive hva jeg mener om saken på kommunens side?", [written_for_them], role="comms").stance == "no"


def test_a_rule_for_the_other_side_of_the_municipality_is_told_from_one_for_the_side_asked_about():
    administrative = "Rådmannen uttaler seg om administrative forhold på vegne av kommunen."
    assert other_domain("Hvem uttaler seg på vegne av kommunen i en politisk sak?", administrative)
    assert other_domain("Who comments on administrative matters?", "Ordføreren gir politiske kommentarer.")
    assert not other_domain("Hvem uttaler seg på vegne av kommunen?", administrative)  # neither side asked about
    assert not other_domain("Hvem uttaler seg i politiske saker?", "Ordfører/varaordfører uttaler seg på vegne av kommunen.")
    assert not other_domain("Hvem uttaler seg i politiske og administrative saker?", administrative)
    # … and a rule naming the side asked about from one naming neither
    reorganising = "Hvem skal uttale seg på vegne av kommunen om en omorganisering av hele administrasjonen?"
    assert same_domain(reorganising, administrative)
    assert not same_domain(reorganising, "Ordfører/varaordfører uttaler seg på vegne av kommunen.")
    assert not same_domain("Hvem uttaler seg på vegne av kommunen?", administrative)  # neither side asked about


def test_a_permission_next_to_a_close_prohibition_is_it_depends_with_both_rules():
    decision = ask("Kan jeg uttale meg til media?", [scored(MAY_SPEAK, 0.9), scored(MUST_NOT_SPEAK, 0.88)])
    assert (decision.key, decision.stance) == ("depends", "info")
    assert [c.rule for c in decision.alternatives] == [MUST_NOT_SPEAK]


def test_a_prohibition_far_below_the_permission_does_not_take_the_yes_away():
    # (one written beside the permission in its own section does: see the test on freedoms stated beside their limits)
    elsewhere = rule("Ansatte skal ikke uttale seg til media om personalsaker.", "must_not", document="kommune/personal.txt")
    far = scored(elsewhere, 0.6, similarity=0.81)
    assert ask("Kan jeg uttale meg til media?", [scored(MAY_SPEAK, 0.9), far]).stance == "yes"


def test_a_plain_yes_gives_way_to_a_restriction_as_close_to_the_question_however_it_ranks():
    # "Kan jeg bruke jobbmailen når jeg skriver som privatperson?": "full ytringsfrihet" ranks first, the
    # rule against using the municipality's e-mail ranks far below but is as close to the question
    free = scored(rule("Ansatte har full ytringsfrihet som privatpersoner.", "may"), 0.9, similarity=0.846)
    no_email = scored(rule("Kommunal stillingstittel, brev eller e-post skal ikke benyttes.", "must_not"), 0.7, similarity=0.857, on_topic=False)
    decision = ask("Kan jeg bruke jobbmailen når jeg skriver et debattinnlegg som privatperson?", [free, no_email])
    assert decision.stance == "info" and no_email in decision.alternatives


def test_whether_someone_may_stop_or_punish_speech_gets_no_yes_from_the_right_to_speak():
    free = scored(rule("Ansatte har full ytringsfrihet som privatpersoner.", "may"), 0.9)
    for question, role in [
        ("Kan lederen min hindre meg i å skrive leserinnlegg som privatperson?", "employee"),
        ("Kan jeg som leder nekte en ansatt å snakke med pressen?", "leader"),
        ("Kan jeg bli sagt opp for å kritisere kommunen i avisa?", "employee"),
        ("Can my manager stop me from writing to the newspaper?", "employee"),
    ]:
        assert read_question(question).restricting, question
        assert ask(question, [free], role=role).stance == "info", question
    assert not read_question("Kan jeg skrive leserinnlegg som privatperson?").restricting


def test_a_yes_to_doing_it_without_a_condition_is_not_given():
    # "Kan jeg uttale meg på vegne av kommunen uten å ha fått det delegert?"
    delegated = scored(rule("Mediehåndteringen kan delegeres til fagpersoner.", "may"), 0.9)
    assert ask("Kan jeg uttale meg på vegne av kommunen uten å ha fått det delegert?", [delegated]).stance == "info"


def test_a_permission_on_a_condition_never_says_the_condition_is_not_required():
    # "Må jeg ha fullmakt?" answered "Nei, det er ikke et krav" by "… uttale seg på vegne av kommunen etter fullmakt"
    by_authority = scored(
        rule("Øvrige ansatte kan uttale seg på vegne av kommunen etter fullmakt.", "may", restricted=True), 0.9, shared=0.5
    )
    assert ask("Må jeg ha fullmakt for å uttale meg på vegne av kommunen?", [by_authority]).stance == "info"


def test_that_no_approval_is_needed_comes_only_from_a_rule_about_approval():
    share = scored(rule("Del gjerne innhold fra kommunens offisielle sosiale medier-kontoer.", "may", roles=()), 0.9, shared=0.4)
    assert ask("Må sosiale medier-kontoer for avdelingen godkjennes av noen?", [share]).stance == "info"
    free = scored(rule("Ansatte kan publisere bilder på kommunens kontoer uten godkjenning.", "may"), 0.9, shared=0.4)
    assert ask("Må bildene godkjennes før jeg publiserer dem på kommunens kontoer?", [free]).stance == "no"


def test_a_question_about_what_a_permission_holds_only_as_long_as_gets_no_yes():
    free = rule(
        "Alle ansatte kan som privatpersoner ytre seg fritt om alle kommunale forhold, så lenge dette ikke innebærer "
        "brudd på taushetsplikten.", "may", restricted=True,
    )
    asked_limit = "Er det lov å si noe om en sak med taushetsplikt hvis jeg gjør det som privatperson?"
    assert ask(asked_limit, [scored(free, 0.9, shared=0.5)]).stance == "info"
    assert ask("Kan jeg som privatperson ytre meg om kommunale forhold?", [scored(free, 0.9, shared=0.5)]).stance == "yes_but"


def test_a_caution_is_advice_not_better_not():
    # "Vær varsom når du svarer på faglige spørsmål …" to "kan jeg svare på faglige spørsmål …?": not "Helst ikke"
    careful = rule("Vær varsom når du svarer på faglige spørsmål i sosiale medier.", "should_not", roles=())
    question = "Kan jeg svare på faglige spørsmål om vaksiner i en Facebook-gruppe?"
    assert ask(question, [scored(careful, 0.9, fit=1, shared=0.5)]).stance == "info"
    for_staff = rule("Vær varsom når du svarer på faglige spørsmål i sosiale medier.", "should_not", roles=("employee",))
    assert ask(question, [scored(for_staff, 0.9, fit=3, shared=0.5)]).stance == "yes_but"
    # a "bør ikke" stays a "better not"
    rather_not = rule("Ansatte bør ikke svare på faglige spørsmål i sosiale medier.", "should_not", roles=("employee",))
    assert ask(question, [scored(rather_not, 0.9, fit=3, shared=0.5)]).stance == "no"


def test_a_prohibition_as_a_main_rule_is_no_flat_no():
    letters = scored(rule("Leserbrev i avisene skal som hovedregel ikke besvares.", "must_not", roles=()), 0.9, shared=0.5, fit=1)
    assert ask("Kan jeg svare på et leserbrev i avisa?", [letters]).stance == "info"
    # the exception written with it is shown beside it, however far it ranks
    errors = rule("Faktafeil kan imøtegås etter samråd med kommunalsjef.", "may", roles=())
    errors = scored(replace(errors, passage_id=letters.rule.passage_id), 0.7, fit=1, shared=0.1)
    decision = ask("Kan jeg svare på et leserbrev i avisa?", [letters, errors])
    assert decision.stance == "info" and [c.rule.text for c in decision.alternatives] == [errors.rule.text]
    strict = scored(rule("Personalsaker skal ikke kommenteres i media.", "must_not", roles=()), 0.9, shared=0.5, fit=1)
    assert ask("Kan jeg kommentere personalsaker i media?", [strict]).stance == "no"


def test_the_written_exception_to_a_main_rule_answers_the_case_it_names_with_the_main_rule_beside_it():
    letters = rule("Leserbrev i avisene skal som hovedregel ikke besvares.", "must_not", roles=())
    errors = rule("Dersom leserbrev inneholder faktafeil kan dette imøtegås, men kun etter samråd med kommunalsjef.", "may", roles=(),
                  conditional=True, restricted=True)
    errors = replace(errors, passage_id=letters.passage_id)
    question = "Det står faktafeil i et leserbrev om skolen. Kan vi svare på det?"
    decision = ask(question, [scored(errors, 0.9, fit=1), scored(letters, 0.89, fit=1, shared=0.5)])
    assert decision.stance == "yes_but" and [c.rule for c in decision.alternatives] == [letters]
    # a prohibition that is not the main rule of the same passage still makes it "it depends"
    other = replace(letters, id="k/s.txt:9:0", passage_id="k/s.txt:9")
    assert ask(question, [scored(errors, 0.9, fit=1), scored(other, 0.89, fit=1, shared=0.5)]).stance == "info"


def test_a_rule_restating_what_the_question_takes_for_granted_does_not_answer_it():
    digital = rule("Kommunikasjonsstrategien legger til grunn at digitale løsninger skal være førstevalg.", "must", roles=())
    question = "Skal Bæringen legges ned som papiravis, nå som alt skal være digitalt førstevalg?"
    assert ask(question, [scored(digital, 0.9, fit=1)]).stance == "info"
    assert ask("Skal alt være digitalt førstevalg?", [scored(digital, 0.9, fit=1)]).stance == "must"
    # … also where the premise is a sentence of its own
    told = "Må vi fortsette å trykke Bæringen på papir? Trodde alt skulle være digitalt førstevalg nå"
    assert ask(told, [scored(digital, 0.9, fit=1)]).stance == "info"
    # … but not a plan the asker tells ("Eg skal halde innlegg …"), nor a situation told before the question
    mayor = rule("Når ordfører uttaler seg som partipolitiker på et partimøte, er det viktig å si det.", "should", roles=("mayor",))
    assert not answers_the_premise("Kva må eg passe på?", mayor, words, told="Eg er ordførar og skal halde innlegg på eit partimøte.")
    assert not answers_the_premise("Kan jeg svare?", MAY_SPEAK, words, told="En journalist fra media ringte om saken.")
    # a situation taken for granted is no rule: the rule written for it answers ("… nå som vedtaket er fattet?")
    critique = rule("Ansatte skal gjennomføre vedtak, men må også når vedtak er fattet kunne påtale kritikkverdige forhold.", "may")
    assert not answers_the_premise("Har jeg lov å si fra nå som vedtaket er fattet, eller må jeg gjennomføre?", critique, words)
    # "siden" is a premise only after a comma: "Facebook-siden" is a page
    assert not answers_the_premise("Kan jeg dele innlegg fra siden til kommunen?", MAY_SPEAK, words)


def test_a_duty_is_required_only_where_the_rule_names_what_was_asked():
    plan = scored(rule("Tiltak nevnt i denne strategien må følges og gjennomføres.", "must"), 0.9, similarity=0.833, shared=0.07)
    assert ask("Må jeg spørre sjefen før jeg skriver leserinnlegg?", [plan]).stance == "info"
    naming = scored(rule("Ansatte skal presisere at de uttaler seg som privatpersoner.", "must"), 0.9, shared=0.5)
    assert ask("Må jeg presisere at jeg uttaler meg som privatperson?", [naming]).stance == "must"


def test_what_the_asker_is_to_do_is_answered_by_a_duty_or_advice_that_names_it():
    stand_in = rule("Det må være navn på hvem som kan tre inn ved fravær i beredskapsplanen.", "must", roles=())
    answer = ask("Kva gjer vi om talspersonen vår blir sjuk? Kva må vi skrive i beredskapsplanen?", [scored(stand_in, 0.9, shared=0.4)])
    assert (answer.key, answer.stance) == ("required_what", "must")
    assert verdict_text(answer.key, stand_in, "nn").text == "Dette er eit krav – sjå regelen under."
    write_in = rule("Skriv inn navn og stedfortreder i beredskapsplanen for din enhet.", "should", roles=())
    answer = ask("Hva må vi skrive inn i beredskapsplanen?", [scored(write_in, 0.9, shared=0.4)])
    assert (answer.key, answer.stance) == ("recommended_what", "must")
    # … not from one that names little of it, nor one that says what not to do, and how to do it is no duty
    assert ask("Hva må vi skrive inn i beredskapsplanen?", [scored(write_in, 0.9, similarity=0.83, shared=0.05)]).stance == "info"
    not_alone = scored(rule("Talspersonen skal ikke stå alene i krisen.", "must", roles=()), 0.9, shared=0.4)
    assert ask("Hva må vi gjøre med talspersonen i krisen?", [not_alone]).stance == "info"
    assert ask("Hvordan skal vi skrive inn talspersonen i beredskapsplanen?", [scored(write_in, 0.9, shared=0.4)]).stance == "info"
    # other duties or advice about as close are shown with it; a prohibition about as close makes it "it depends"
    same_person = scored(rule("Det bør være samme person gjennom hele krisen.", "should", roles=()), 0.89, shared=0.3)
    answer = ask("Kva gjer vi om talspersonen vår blir sjuk? Kva må vi skrive i beredskapsplanen?", [scored(stand_in, 0.9, shared=0.4), same_person])
    assert answer.stance == "must" and [c.rule for c in answer.alternatives] == [same_person.rule]
    not_named = scored(rule("Navn på talspersonen skal ikke stå i beredskapsplanen.", "must_not", roles=()), 0.89, shared=0.3)
    assert ask("Hva må vi skrive inn i beredskapsplanen?", [scored(write_in, 0.9, shared=0.4), not_named]).stance == "info"
    # a prohibition answers it with a no
    assert ask("Hva gjør jeg hvis en journalist spør om en personalsak?", [scored(MUST_NOT_SPEAK, 0.9, shared=0.5)]).stance == "no"


def test_a_duty_of_the_job_is_not_required_of_a_private_post_unless_the_rule_says_so():
    platform = scored(rule("Som medarbeider har du et ansvar for å følge kommunikasjonsplattformen.", "responsible"), 0.9, shared=0.4)
    assert ask("Må jeg følge kommunikasjonsplattformen når jeg skriver et privat leserinnlegg?", [platform]).stance == "info"
    assert ask("Må jeg følge kommunikasjonsplattformen når jeg skriver på kommunens nettside?", [platform]).stance == "must"


def test_a_no_comes_only_from_a_rule_about_what_was_asked():
    # "Nei." to "may I still speak up?" from a rule about job titles that merely shares a word
    about_titles = scored(MUST_NOT_TITLE, 0.9, similarity=0.85, shared=0.05)
    assert ask("Har jeg lov å si fra om vedtaket?", [about_titles]).stance == "info"
    about_it = scored(MUST_NOT_SPEAK, 0.9, similarity=0.88, shared=0.5)
    assert ask("Kan jeg uttale meg til media om en personalsak?", [about_it]).stance == "no"


def test_a_rule_sharing_only_the_words_of_the_askers_role_gives_no_yes_or_no():
    # "Får eg ekstra fri viss eg stiller opp som pressekontakt …?": the adviser's rule names a press contact,
    # as the asker does, and nothing of what was asked
    adviser = rule("Kommunikasjonsrådgiver gir medieråd og er pressekontakt.", "may", roles=("comms",))
    role_words_only = ScoredRule(adviser, 0.9, 0.88, 3, True, shared=0.3, topic_shared=0.0)
    assert ask("Får eg ekstra fri viss eg stiller opp som pressekontakt i helga?", [role_words_only], role="comms").stance == "info"
    about_it = replace(role_words_only, topic_shared=0.3)
    assert ask("Kan eg gi medieråd som pressekontakt?", [about_it], role="comms").stance in ("yes", "yes_but")


def test_a_no_next_to_a_close_permission_is_it_depends():
    # (a question about what only the prohibition names keeps its "no": see the test of personnel cases below)
    decision = ask(
        "Kan jeg uttale meg til media om saken?",
        [scored(MUST_NOT_SPEAK, 0.9, similarity=0.88, shared=0.5), scored(MAY_SPEAK, 0.87)],
    )
    assert decision.stance == "info" and decision.alternatives


def test_a_prohibition_naming_what_was_asked_is_the_limit_of_a_freedom_in_its_document_that_does_not():
    # "Kommunal stillingstittel … skal ikke benyttes" is the limit of "… full ytringsfrihet som privatpersoner"
    freedom = rule("Ansatte har full ytringsfrihet som privatpersoner.", "may")
    question = "Kan eg bruke stillingstittelen min når eg skriv lesarinnlegg som privatperson?"
    assert ask(question, [scored(MUST_NOT_TITLE, 0.9), scored(freedom, 0.88)]).stance == "no"
    # not where the freedom is from another document, or written more for the asker than the prohibition
    elsewhere = replace(freedom, id="annen/strategi.txt:1:0", document_id="annen/strategi.txt")
    assert ask(question, [scored(MUST_NOT_TITLE, 0.9), scored(elsewhere, 0.88)]).stance == "info"
    assert ask(question, [scored(MUST_NOT_TITLE, 0.9, fit=1), scored(freedom, 0.88)]).stance == "info"
    # nor where the freedom names what the prohibition forbids
    titled = rule("Ansatte kan bruke stillingstittel når de skriver om eget fagfelt.", "may")
    assert ask(question, [scored(MUST_NOT_TITLE, 0.9), scored(titled, 0.88)]).stance == "info"


def test_a_freedom_gives_way_as_the_matching_rule_to_the_prohibition_naming_what_was_asked():
    freedom = scored(rule("Ansatte har full ytringsfrihet som privatpersoner.", "may"), 0.91)
    title = scored(MUST_NOT_TITLE, 0.89)
    question = "Kan jeg bruke stillingstittelen min når jeg skriver leserinnlegg som privatperson?"
    assert prohibition_over_freedom(freedom, [freedom, title], words(question), words, 0.08, question) is title
    # not where the question names what the prohibition does only inside a compound, nor far below the freedom
    letters = scored(rule("Kommunalt brev skal ikke benyttes.", "must_not"), 0.89)
    assert prohibition_over_freedom(freedom, [freedom, letters], {"leser", "brev"}, words, 0.08, "Kan jeg svare på et leserbrev?") is None
    far = scored(MUST_NOT_TITLE, 0.80)
    assert prohibition_over_freedom(freedom, [freedom, far], words(question), words, 0.08, question) is None


def test_a_leader_asking_whether_a_duty_is_theirs_rather_than_another_roles_gets_the_duty_written_for_them():
    duty = rule("Det er ditt ansvar å sørge for at dine ansatte følger strategien.", "responsible", roles=("leader",))
    question = "Er det faktisk mitt ansvar at de ansatte følger strategien, og ikke kommunikasjonsavdelingen sitt?"
    assert ask(question, [scored(duty, 0.9)], role="leader").stance == "must"
    assert ask("Må jeg sørge for at de ansatte følger strategien, eller er det kommunikasjonsavdelingen som skal gjøre det?",
               [scored(duty, 0.9)], role="leader").stance == "must"
    # "… X …, eller er det meg?": the asker sets themselves beside the other role
    assert ask("Er det kommunikasjonsavdelingen som skal sørge for at de ansatte følger strategien, eller er det meg?",
               [scored(duty, 0.9)], role="leader").stance == "must"
    assert ask("Is it the communications department's job to make staff follow the strategy, or mine?",
               [scored(duty, 0.9)], role="leader").stance == "must"
    # a question about what another role must do is not answered by the asker's own duty
    assert ask("Kan jeg sørge for at de ansatte følger strategien, eller må kommunikasjonsavdelingen gjøre det?",
               [scored(duty, 0.9)], role="leader").stance == "info"
    assert ask("Må kommunikasjonsavdelingen sørge for at de ansatte følger strategien?", [scored(duty, 0.9)], role="leader").stance == "info"


def test_no_yes_where_the_asker_says_what_the_rule_asks_for_is_not_the_case():
    mandate = rule("Ansatte kan uttale seg på vegne av kommunen etter fullmakt.", "may", restricted=True)
    assert ask("Kan jeg uttale meg på vegne av kommunen?", [scored(mandate, 0.9)]).stance == "yes_but"
    told = "Kan jeg uttale meg på vegne av kommunen? Har ikke fått noen fullmakt fra sjefen."
    assert ask(told, [scored(mandate, 0.9)]).stance == "info"


def test_a_prohibition_whose_every_word_the_question_names_says_no_however_much_else_it_tells():
    def index_words(text: str) -> set[str]:  # as the index gives them: no modal verbs or negations
        return words(text) - {"skal", "ikke"}

    forbids = rule("Personalsaker skal ikke kommenteres i media.", "must_not", roles=())
    freedom = rule("Ansatte har full ytringsfrihet som privatpersoner.", "may")
    question = ("Journalisten i lokalavisa ringte i dag om oppsigelsen av en ansatt hos oss og sier han skriver saken "
                "uansett. Kan jeg kommentere personalsaken i media?")
    candidates = [scored(forbids, 0.9, shared=0.1), scored(freedom, 0.88, shared=0.05)]
    assert names_all_it_forbids(index_words(question), forbids, index_words)
    assert ask(question, candidates).stance == "info"  # few of its words in the rule: not about what was asked
    assert ask(question, candidates, names_all_forbidden=True).stance == "no"
    # not where the question leaves out part of what it forbids (a staff meeting is not the media)
    internal = "Kan jeg kommentere en personalsak på personalmøtet internt?"
    assert not names_all_it_forbids(index_words(internal), forbids, index_words)


def test_no_yes_required_where_a_closer_rule_gives_the_duty_to_another_role():
    # "Er det jeg som ordfører som har ansvaret for at riktig person uttaler seg …?"
    approves = rule("Kommunens offisielle syn skal godkjennes av ordfører eller rådmann.", "must", roles=("mayor", "chief_executive"))
    chief = rule("Den ansvarlige for at riktig person uttaler seg er kommunedirektøren.", "responsible", roles=("chief_executive",))
    question = "Er det jeg som ordfører som har ansvaret for at riktig person uttaler seg?"
    alone = [scored(approves, 0.95, similarity=0.89, shared=0.3)]
    assert ask(question, alone, role="mayor").stance == "must"
    beside = alone + [scored(chief, 0.70, similarity=0.90, fit=0, shared=0.6)]
    decision = ask(question, beside, role="mayor")
    assert decision.stance == "info" and [c.rule for c in decision.alternatives] == [chief]


def test_a_rule_giving_no_verdict_is_shown_with_the_rules_about_as_close():
    loyalty = rule("Ansatte har en lojalitetsplikt overfor arbeidsgiver.", "must")
    but = rule("Det skal imidlertid mye til før lojalitetsplikten begrenser ytringsfriheten.", "must")
    question = "Since we have lojalitetsplikt I can't criticise my own workplace publicly, right?"
    alone = ask(question, [scored(loyalty, 0.82)])
    assert (alone.key, alone.stance, alone.alternatives) == ("see_rule", "info", ())
    beside = ask(question, [scored(loyalty, 0.82), scored(but, 0.82)])
    assert (beside.key, beside.stance) == ("depends", "info") and [c.rule for c in beside.alternatives] == [but]


def test_a_rule_for_speaking_on_the_units_behalf_is_no_yes_to_telling_ones_own_opinion():
    for_the_unit = rule("Enhetsledere gir faktaopplysninger og faglige vurderinger på vegne av sin virksomhet.",
                        "responsible", roles=("unit_leader",))
    assert ask("Kan jeg gi faglige vurderinger til avisa om tilbudet?", [scored(for_the_unit, 0.9)], role="unit_leader").stance == "yes_but"
    question = "Kan jeg som enhetsleder si hva jeg mener om forslaget om å legge ned dagsenteret?"
    assert ask(question, [scored(for_the_unit, 0.9)], role="unit_leader").stance == "info"


def test_asking_to_skip_a_duty_gets_no_yes():
    training = rule("Alle tjenesteledere skal gjennomgå medietrening.", "must", roles=("unit_leader",))
    for question in ("Kan jeg bare droppe medietreningen?", "Kan eg sleppe å ta medietreninga?", "Can I skip the media training?"):
        assert ask(question, [scored(training, 0.9)], role="unit_leader").stance == "info", question


def test_a_required_next_to_a_close_permission_is_it_depends():
    loyalty = rule("Ansatte skal opptre lojalt overfor politiske og administrative vedtak.", "must")
    candidates = [scored(loyalty, 0.90, shared=0.1), scored(MAY_SPEAK_LIMITED, 0.87)]
    decision = ask("Må jeg spørre sjefen før jeg snakker med en journalist?", candidates)
    assert decision.stance == "info" and [c.rule for c in decision.alternatives] == [MAY_SPEAK_LIMITED]
    # alone, the loyalty rule still doesn't name asking the boss first: no "required" from it either
    assert ask("Må jeg spørre sjefen før jeg snakker med en journalist?", candidates[:1]).stance == "info"


def test_a_permission_about_something_else_does_not_withdraw_a_duty():
    # "Har vi som politikarar eit ansvar for at dei tilsette veit kva dei kan seie?": the council's duty stands
    # beside "… tiltak som kommunene kan vurdere", which shares none of the question's words
    council = rule("Kommunestyret må ta sitt ansvar for at de ansatte kjenner reglene om ytringsfrihet.", "must", roles=("elected",))
    measures = rule("Nedenfor viser jeg til noen tiltak som kommunene kan vurdere.", "may", roles=("elected",))
    question = "Har vi som folkevalgte et ansvar for at de ansatte kjenner reglene om ytringsfrihet?"
    beside = [scored(council, 0.9, shared=0.5), ScoredRule(measures, 0.89, 0.86, 3, True, shared=0.05, topic_shared=0.0)]
    assert ask(question, beside, role="elected").stance == "must"


def test_below_the_calibrated_confidence_there_is_no_verdict():
    assert ask("Kan jeg uttale meg til media?", [scored(MAY_SPEAK, 0.9)], confidence=0.05).stance == "info"


def test_a_negated_question_gets_no_yes_or_no():
    assert ask("Kan jeg ikke bare uttale meg til media?", [scored(MAY_SPEAK, 0.9)]).stance == "info"


def test_a_duty_that_says_what_not_to_do_is_no_yes():
    assert ask("Kan jeg legge ut bilder av pasienter?", [scored(NEGATIVE_ADVICE, 0.9, fit=1)]).stance == "info"


def test_a_rule_for_another_role_is_information_not_a_verdict():
    for_leaders = rule("Ledere kan uttale seg om egen enhet.", "may", roles=("leader",))
    assert ask("Kan jeg uttale meg til media?", [scored(for_leaders, 0.9, fit=0)]).stance == "info"


def test_who_lists_only_roles_a_rule_gives_the_right_to():
    gives = rule("Ordføreren uttaler seg på vegne av kommunen.", "responsible", roles=("mayor",))
    denies = rule(
        "Ansatte som deltar i samfunnsdebatten skal presisere at de ikke uttaler seg på kommunens vegne.", "must"
    )
    limits = rule("Ansatte skal ikke uttale seg om personalsaker.", "must_not")
    assert grants(gives) and not grants(denies) and not grants(limits)


def test_who_names_whom_a_rule_describes_where_it_names_no_role():
    # "Hvem har ansvaret for informasjonen når det brenner på et sykehjem?": not "Ledere" (from "leder" read as a
    # role) but whom the rule describes
    leads = replace(rule("Den som leder krisehåndteringen er ansvarlig for informasjonen.", "responsible", roles=()),
                    holder="Den som leder krisehåndteringen")
    assert grants(leads) and holders(scored(leads, 0.9)) == {}
    assert described_holder(scored(leads, 0.9)) == "Den som leder krisehåndteringen"
    # what those it describes may do names no one who does it
    roles_they_may_have = replace(rule("De som kommuniserer for kommunen kan ha flere roller.", "may", roles=()),
                                  holder="De som kommuniserer for kommunen")
    assert not grants(roles_they_may_have) and described_holder(scored(roles_they_may_have, 0.9)) == ""


def test_who_names_only_the_roles_the_quoted_rule_gives_the_task_and_shows_its_sections_other_roles():
    # "Hvem uttaler seg for kommunen hvis vi får et dataangrep?"
    def in_section(text: str, modality: str, roles: tuple[str, ...], section: str, **flags) -> Rule:
        return replace(rule(text, modality, roles=roles, **flags), section=section)

    crisis = "Krisekommunikasjon"
    mayor = scored(in_section("Ordfører og kommunedirektør er de som uttaler seg på vegne av kommunen.", "responsible",
                              ("mayor", "chief_executive"), crisis), 0.90)
    comms = scored(in_section("Kommunikasjonsavdelingen bistår med uttalelser til media.", "responsible", ("comms",), crisis), 0.88)
    staff = scored(in_section("Medarbeidere har ansvar for å dele relevant informasjon med kolleger.", "responsible",
                              ("employee",), "Intern kommunikasjon"), 0.89)
    leaders = scored(in_section("Andre ledere kan uttale seg kun etter samtykke fra kommunedirektøren.", "may", ("leader",),
                                crisis, restricted=True), 0.89)
    aside = scored(in_section("Tillitsvalgte er ikke bundet av strategien.", "may", ("union_rep",), crisis), 0.89, on_topic=False)
    assert set(holders(mayor)) == {"mayor", "chief_executive"}
    # beside it, each role's rule from the same section, on topic and not on a condition
    entries = role_entries([mayor, staff, leaders, comms, aside], mayor, MIN_SIMILARITY)
    assert set(entries) == {"mayor", "chief_executive", "comms"}
    # a permission on a condition names nobody
    assert holders(leaders) == {}


def test_who_names_nobody_from_a_rule_whose_roles_are_only_in_a_clause_after_its_main_one():
    # "Verdiene er en veiviser når hver enkelt ansatt uttaler seg …" gives the values a role, not staff a task
    values = scored(rule("Verdiene er en veiviser når hver enkelt ansatt uttaler seg på vegne av kommunen.", "responsible"), 0.9)
    assert holders(values) == {}
    # a clause put first leaves the main clause's role the holder
    crisis = scored(rule("Når media kontakter enheten i en krise, skal kommunikasjonsrådgiver svare.", "must", roles=("comms",)), 0.9)
    assert set(holders(crisis)) == {"comms"}


def test_telling_the_asker_a_task_is_theirs_gives_way_to_a_closer_duty_of_theirs():
    # "Som enhetsleder er jeg usikker på om jeg bør gi pressen opplysningene. Hva skal jeg gjøre da?"
    gives = scored(rule("Enhetsledere gir faktaopplysninger og faglige vurderinger på vegne av sin virksomhet.", "responsible",
                        roles=("unit_leader",)), 0.93, similarity=0.890)
    confer = scored(rule("Ved tvil om å gi informasjon til pressen plikter enhetsleder å konferere med kommunalsjef.", "must",
                         roles=("unit_leader",)), 0.88, similarity=0.893)
    question = "Som enhetsleder er jeg usikker på om jeg bør gi pressen opplysningene. Hva skal jeg gjøre da?"
    decision = ask(question, [gives, confer], role="unit_leader")
    assert decision.stance == "info" and confer in decision.alternatives
    # … and to a duty about as close ("NRK vil ha en kommentar i en sak der jeg er usikker på om jeg bør uttale meg.
    # Hva gjør jeg?"), not only a closer one
    about_as_close = scored(confer.rule, 0.83, similarity=gives.similarity - DEFAULT.restriction_margin / 2)
    assert ask(question, [gives, about_as_close], role="unit_leader").stance == "info"
    # without a closer duty, the responsibility is the answer ("Hvilke kommunikasjonsoppgaver har en leder?")
    assert ask("Hvilke oppgaver har jeg overfor pressen?", [gives], role="unit_leader").stance == "must"
    assert ask("Hvilke kommunikasjonsoppgaver har jeg overfor pressen?", [gives], role="unit_leader").stance == "must"
    # … but it answers no question that asks about something else than a task ("Hva er hovedkanalen …?")
    assert ask("Hva er hovedkanalen for faktaopplysninger til pressen, nettsida eller Facebook?", [gives], role="unit_leader").stance == "info"


def test_telling_the_asker_a_task_is_theirs_gives_way_to_a_closer_restriction_on_what_was_asked():
    # "En bruker har fritatt oss fra taushetsplikten. Da kan jeg vel som avdelingsleder kommentere saken i avisa?"
    gives = ScoredRule(rule("Avdelingsledere gir faktaopplysninger og faglige vurderinger på vegne av sin virksomhet.", "responsible",
                            roles=("unit_leader",)), 0.87, 0.864, 3, False, shared=0.28, topic_shared=0.0)
    still_not = ScoredRule(rule("Om en bruker fritar kommunen fra taushetsplikten, bør leder likevel ikke kommentere saken.", "should_not",
                                roles=("leader",)), 0.79, 0.900, 2, True, shared=0.2, topic_shared=0.3)
    question = "En bruker har fritatt oss fra taushetsplikten. Da kan jeg vel som avdelingsleder kommentere saken hennes i avisa?"
    decision = ask(question, [gives, still_not], role="unit_leader")
    assert decision.stance == "info" and still_not in decision.alternatives


def test_whose_task_it_is_answers_an_open_question_only_from_a_rule_about_what_it_asks():
    spokespersons = ScoredRule(rule("I krisesituasjoner er det ordfører, kommunedirektør og kommunikasjonsrådgiver som er "
                                    "kommunens pressetalspersoner.", "responsible", roles=("mayor", "chief_executive", "comms")),
                               0.79, 0.841, 3, False, shared=0.0, topic_shared=0.0)
    assert ask("Skal pressemeldinger skrives på nynorsk eller bokmål?", [spokespersons], role="comms").stance == "info"
    # about what it asks, the task is the answer ("Hvilke oppgaver har jeg overfor pressen?")
    gives = scored(rule("Enhetsledere gir faktaopplysninger til pressen på vegne av sin virksomhet.", "responsible",
                        roles=("unit_leader",)), 0.93)
    assert ask("Hvilke oppgaver har jeg overfor pressen?", [gives], role="unit_leader").stance == "must"


def test_a_leader_asking_whether_only_one_role_speaks_is_not_told_just_that_role_by_a_rule_that_says_no_only():
    speaks = rule("Rådmannen uttaler seg om administrative forhold på vegne av kommunen.", "responsible", roles=("chief_executive",))
    question = "Er det bare rådmannen som kan uttale seg om administrative saker?"
    assert not answers_whether_only(["chief_executive"], question, speaks)  # "Rådmannen" would read as "yes, only"
    assert answers_whether_only(["chief_executive", "department_head"], question, speaks)  # "no: also …"
    alone = rule("Kun rådmannen uttaler seg om administrative forhold.", "responsible", roles=("chief_executive",))
    assert answers_whether_only(["chief_executive"], question, alone)  # the rule says "only" itself
    # naming only others answers another question: who makes the rules known is not who needs to know them
    council = rule("Kommunestyret må ta sitt ansvar for at reglene om ytringsfriheten gjøres kjent.", "must", roles=("elected",))
    assert not answers_whether_only(["elected"], "Er det berre dei tilsette som treng å kjenne grensene?", council)


def test_who_speaks_in_a_crisis_does_not_answer_who_speaks_otherwise():
    spokespersons = rule("I krisesituasjoner er det ordfører og kommunedirektør som er kommunens pressetalspersoner.",
                         "responsible", roles=("mayor", "chief_executive"))
    assert for_a_crisis_not_asked(spokespersons, "Is it only the chief executive who may talk to the media?")
    assert not for_a_crisis_not_asked(spokespersons, "Hvem er pressetalspersoner i en krisesituasjon?")
    assert not for_a_crisis_not_asked(spokespersons, "Det er flom i sentrum. Hvem snakker med media?")  # flom → krise
    # a rule for a role that exists in a crisis only
    crisis_lead = rule("Den som leder krisehåndteringen er ansvarlig for at informasjon blir gitt korrekt og raskt.",
                       "responsible", roles=("leader",))
    assert for_a_crisis_not_asked(crisis_lead, "Hvem har ansvaret for informasjonen innenfor sektoren min?")
    assert not for_a_crisis_not_asked(crisis_lead, "Det har brent på et bofellesskap i natt. Hvem har ansvaret for informasjonen?")
    everyday = rule("Ordføreren uttaler seg om politiske saker.", "responsible", roles=("mayor",))
    assert not for_a_crisis_not_asked(everyday, "Hvem uttaler seg om politiske saker?")


def test_who_speaks_for_the_municipality_is_not_answered_by_a_rule_for_speaking_as_someone_elses_representative():
    union = rule("Tillitsvalgte har selv ansvar for å klargjøre overfor mediene at de uttaler seg som representant for en "
                 "fagforening.", "responsible", roles=("union_rep",))
    spokespersons = rule("Det innebærer at ordfører/kommunedirektør er de som uttaler seg på vegne av kommunen.", "responsible",
                         roles=("mayor", "chief_executive"))
    for_the_municipality = grants_for("Det er storflaum. Kven skal uttale seg til media på vegner av kommunen no?")
    assert not for_the_municipality(union) and for_the_municipality(spokespersons)
    assert grants_for("Hvem har ansvar for å si at de uttaler seg for fagforeningen?")(union)


def test_the_municipalitys_own_duty_is_not_told_to_an_asker_as_theirs():
    # "Jeg er folkevalgt. Er jeg pliktig til å følge kommunikasjonsplattformen?" against the municipality's duty to inform
    duty = scored(rule("Kommuneloven påpeker kommunens plikt til å aktivt informere om egen virksomhet.", "must", roles=()), 0.9,
                  shared=0.5, fit=1)
    assert ask("Jeg er folkevalgt. Er jeg pliktig til å følge kommunikasjonsplattformen?", [duty], role="elected").stance == "info"
    # a duty written for whoever reads it stays one ("Etter intervju skal du forespørre sitatsjekk")
    quote_check = scored(rule("Etter intervju skal du forespørre sitatsjekk.", "must", roles=()), 0.9, shared=0.5, fit=1)
    assert ask("Må jeg be om sitatsjekk etter et intervju?", [quote_check], role="employee").stance == "must"
    # the asker may say "jeg" outside the sentence that asks last
    project = scored(rule("Arbeidet med kommunens nye interne kanal skal gjennomføres som en innovativ anskaffelse.", "must",
                          roles=()), 0.9, shared=0.5, fit=1)
    assert ask("Skal jeg sende saker til internavisen? Er det fortsatt kommunens interne kanal?", [project]).stance == "info"


def test_a_question_on_a_topic_the_documents_leave_to_another_document_gets_that_note_not_a_verdict():
    note = rule("Krisekommunikasjonsarbeidet er beskrevet i beredskapsplan for kommunen, og blir derfor ikke omtalt i denne strategien.",
                "refers", roles=(), conditional=True)
    mayor = rule("Ordfører uttaler seg på vegne av kommunen.", "responsible", roles=("mayor",))
    candidates = [scored(mayor, 0.9), scored(note, 0.8)]
    asked = words("Hvem har ansvar for krisekommunikasjonen i kommunen?")
    assert referred_elsewhere(candidates[0], candidates, asked, words, MIN_SIMILARITY) == [candidates[1]]
    # the document it names is not the topic: a question naming only "kommunen" or "beredskapsplan…" is no match
    assert referred_elsewhere(candidates[0], candidates, words("Kan jeg delta i debatten i kommunen?"), words, MIN_SIMILARITY) == []
    # a best rule that names the topic itself keeps its verdict
    crisis = scored(rule("I en krise uttaler ordfører seg om krisekommunikasjonen.", "responsible", roles=("mayor",)), 0.9)
    assert referred_elsewhere(crisis, [crisis, candidates[1]], asked, words, MIN_SIMILARITY) == []


def test_a_superseded_documents_rule_gives_way_to_the_current_documents_rule():
    old = rule("Alle har ansvar for kommunikasjon.", "responsible", roles=(), document="kommune/strategi-2010.txt")
    new = rule("Ledere har ansvar for kommunikasjon.", "responsible", roles=("leader",), document="kommune/strategi-2020.txt")
    retriever = SimpleNamespace(stored=SimpleNamespace(manifest={"documents": {
        "kommune/strategi-2010.txt": {"superseded_by": "kommune/strategi-2020.txt"},
        "kommune/strategi-2020.txt": {"superseded_by": None},
    }}))
    candidates = [scored(old, 0.95), scored(new, 0.9)]
    assert [c.rule for c in current_rules_first(candidates, retriever, MIN_SIMILARITY)] == [new]
    # where the current document has nothing close, the superseded rule stays (and is shown as superseded)
    far = [scored(old, 0.95), scored(new, 0.5, similarity=0.7)]
    assert [c.rule for c in current_rules_first(far, retriever, MIN_SIMILARITY)] == [old, new]


@pytest.mark.parametrize(
    "question, form",
    [
        ("Hvem er ordføreren?", "factual"),
        ("Hvem er pressekontakt i større saker?", "question"),  # a function the documents give a role
        ("Who is the spokesperson in a crisis?", "question"),
        ("Who is the mayor?", "factual"),
        ("Hva er telefonnummeret til pressekontakten?", "factual"),
        ("Hvor mange ansatte har kommunen?", "factual"),
        # an amount to spend, unlike how much a channel is used
        ("hvor mye kan enheten min bruke på annonser i Totens Blad i året?", "factual"),
        ("How much can my unit spend on Facebook ads?", "factual"),
        ("Hvor mye bør vi bruke sosiale medier?", "question"),
        ("Does the media course cost anything?", "factual"),
        # the costs of a crisis are no price asked for
        ("In a crisis, what should we talk about first: the people affected or the costs?", "question"),
        ("Jeg lurer på en ting. Hvor mange ansatte har kommunen?", "factual"),
        # the number is the situation; the question asks whether she may give it
        ("En journalist spør meg hvor mange plasser det er på avdelingen. Kan jeg svare på det?", "question"),
        ("Jobber i hjemmesykepleien. Kan jeg svare en journalist på hvor mange brukere vi har på ruta?", "question"),
        ("Can I tell the reporter how many patients we have?", "question"),
        ("En journalist lurte på hvor mange brukere vi har i sonen vår, kan jeg bare svare han?", "question"),
        # who decides which person speaks is a question about who decides, not about a person
        ("Who decides which person speaks to the media when we are a party to a case?", "question"),
        ("Which journalist wrote the article about the school?", "factual"),
        ("Kan jeg få vite hvor mange som jobber her?", "factual"),
        ("What does section 4 of the Local Government Act say?", "factual"),
        ("Hva er forskjellen på en pressemelding og en pressekonferanse?", "factual"),
        ("Hva betyr klarspråk?", "definition"),
        # a login is an everyday IT matter (bot.answering.scope), not a fact: a channel's rule may settle it
        ("Treng eg passord for å lese interne nyheiter på ansattportalen?", "question"),
        ("presse presse media journalist", "keywords"),
        ("Hvem har ansvar for mediekontakt?", "question"),
        ("Kan jeg uttale meg til pressen?", "question"),
    ],
)
def test_factual_questions_definitions_and_keyword_strings_are_told_apart(question, form):
    assert question_form(question) == form


@pytest.mark.parametrize(
    "question, intent, yes_no",
    [
        # what the asker is to do ("action"), not what someone else does nor how
        ("Skal være med på NRK. Hva må jeg gjøre klart for journalisten?", "action", False),
        ("Kva gjer vi om talspersonen vår blir sjuk midt i ei krise?", "action", False),
        ("Someone asks about a council decision on our page. What should I point them to?", "action", False),
        ("Hva skal kommunikasjonsenheten gjøre ved en krise?", "open", False),
        ("Hvordan bør vi svare på negative kommentarer?", "open", False),
        ("Eg leiar møta. Må eg sørgje for at alle får informasjonen?", "obligation", True),
        ("Er det mitt ansvar at de ansatte følger strategien?", "obligation", True),
        ("Er det greitt at eg deler innlegga?", "permission", True),
        ("Jeg er virksomhetsleder, hva kan jeg uttale meg om?", "scope", False),
        ("Skal vi sende brev på papir eller digitalt?", "open", False),
        ("Kan jeg gi politiske kommentarer, eller er det bare ordføreren som får?", "permission", True),
        ("Som hovedtillitsvalgt i Fagforbundet, kan jeg gå ut i media mot kuttene?", "permission", True),
        ("Jeg er verneombud, må jeg følge kommunikasjonsstrategien når jeg uttaler meg?", "obligation", True),
        # whether something is required, however it is put: not a permission ("Ja." from "… kan ha behov for …")
        ("Er kommunene pålagt å lage egne retningslinjer for ytringsfrihet?", "obligation", True),
        ("Er det obligatorisk med medietrening?", "obligation", True),
        ("Har jeg plikt til å informere de ansatte?", "obligation", True),
        ("Er det et krav at jeg bruker logoen?", "obligation", True),
        ("Is it mandatory to tell my manager?", "obligation", True),
        # a hyphen between spaces is the dash it stands for, and a tag asks with the sentence before it
        ("Som enhetsleder - kan jeg skrive et privat innlegg i avisa?", "permission", True),
        ("Er det greit å dele bildet – eller?", "permission", True),
        ("Har jeg lov til å uttale meg?", "permission", True),
    ],
)
def test_the_kind_of_question_is_read_from_the_sentence_that_asks(question, intent, yes_no):
    parsed = read_question(question)
    assert (parsed.intent, parsed.yes_no) == (intent, yes_no)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_verdict_says_its_stance_in_the_askers_language(language):
    assert set(STANCE_OF.values()) <= set(STANCES)
    for key, stance in STANCE_OF.items():
        verdict = verdict_text(key, MAY_SPEAK_LIMITED, language)
        assert verdict.stance == stance and verdict.text and "{" not in verdict.text
        assert f"verdict_{key}" in TABLES[language]
    yes, no = verdict_text("yes", MAY_SPEAK, language).text, verdict_text("no", MAY_SPEAK, language).text
    assert yes.startswith({"nb": "Ja", "nn": "Ja", "en": "Yes"}[language])
    assert no.startswith({"nb": "Nei", "nn": "Nei", "en": "No"}[language])


def test_the_answer_contract_carries_the_stance():
    answer = Answer(
        question="Kan jeg?", language="nb", municipality=None, municipality_name=None, role=None, role_source=None,
        answered=False, kind="refused", verdict="…", stance="refuse", rule=None, passages=[], confidence=0.0,
    )
    data = answer.to_dict()
    assert data["stance"] == "refuse" and data["alternatives"] == []
    assert replace(answer, stance="info").to_dict()["stance"] == "info"


def test_a_question_about_another_role_gets_no_verdict_from_a_rule_that_does_not_name_it():
    # an employee asks about union representatives, whom the strategy may not bind at all
    first_internally = scored(rule("Det er viktig at man først forsøker å løse saker internt.", "should", roles=()), 0.9, fit=1, shared=0.5)
    assert ask("Må tillitsvalgte spørre kommunedirektøren før de uttaler seg?", [first_internally]).stance == "info"
    union = scored(rule("Tillitsvalgte skal avklare uttalelser med sitt forbund.", "must", roles=("union_rep",)), 0.9, fit=0, shared=0.5)
    assert ask("Må tillitsvalgte avklare uttalelser med forbundet?", [union], role=None).stance == "must"


def test_a_leader_asking_about_what_they_do_with_another_role_is_answered_by_a_rule_naming_that_role():
    # the other role is what the asker acts on ("dra inn kommunikasjonsenheten"), not whom the question is about
    together = scored(rule("Ledere oppfordres til å samarbeide tett med Kommunikasjonsenheten i mediesaker.", "should",
                           roles=("leader",)), 0.9, shared=0.5)
    assert ask("Bør jeg dra inn kommunikasjonsenheten i mediesaker?", [together], role="leader").stance == "must"
    # … but not by a rule for them that names someone else: the strategy known by staff is not known by politicians
    known = scored(rule("Etatsledere er ansvarlig for at strategien er kjent for medarbeidere.", "responsible",
                        roles=("department_head",)), 0.9, shared=0.5)
    question = "Må jeg som etatsleder sørge for at politikerne i hovedutvalget kjenner strategien?"
    assert ask(question, [known], role="department_head").stance == "info"


def test_always_asked_of_a_duty_that_holds_only_under_its_condition_gets_it_depends():
    in_doubt = scored(rule("Ved tvil om berettigelsen av å gi informasjon til pressen, plikter enhetsleder å konferere med "
                           "kommunalsjef.", "must", roles=("unit_leader",), conditional=True), 0.9, shared=0.5)
    assert ask("Må jeg alltid ringe kommunalsjefen før jeg snakker med pressen?", [in_doubt], role="unit_leader").stance == "info"
    assert ask("Må jeg konferere med kommunalsjef ved tvil om informasjon til pressen?", [in_doubt],
               role="unit_leader").stance == "must"


def test_a_duty_question_whose_own_verb_is_negated_gets_no_yes_required():
    consider = scored(
        rule("Ledere har et særlig ansvar for å vurdere om de kan skrive leserinnlegg som privatpersoner.", "responsible",
             roles=("leader",)),
        0.9, shared=0.5,
    )
    assert ask("Må jeg som leder la være å skrive leserinnlegg som privatperson?", [consider], role="leader").stance == "info"
    # nor whose act is to wait ("Ved en krise – skal vi vente til de selv ber om hjelp?" against "… skal umiddelbart ta kontakt …")
    at_once = scored(rule("Kommunikasjonsenheten skal umiddelbart ta kontakt med berørt tjenestested med tilbud om bistand.", "must",
                          roles=("comms",)), 0.9, shared=0.5)
    assert ask("Ved en krise – skal vi vente til de selv ber om hjelp?", [at_once], role="comms").stance == "info"
    # a "not" in the case asked about leaves the question as it is
    follow = scored(rule("Det er ditt ansvar å sørge for at dine ansatte følger retningslinjene.", "responsible", roles=("leader",)), 0.9, shared=0.5)
    assert ask("Er det mitt ansvar om de ansatte mine ikke følger retningslinjene?", [follow], role="leader").stance == "must"


def test_a_duty_that_shares_only_the_askers_role_with_the_question_does_not_name_it():
    # "Må jeg som varaordfører svare pressen om administrative saker?" against "Ordfører/varaordfører uttaler seg …"
    mayor = rule("Ordfører/varaordfører uttaler seg på vegne av kommunen.", "responsible", roles=("mayor",))
    only_role = ScoredRule(mayor, 0.9, 0.85, 3, True, shared=0.46, topic_shared=0.0)
    asked = "Må jeg som varaordfører svare pressen om administrative saker?"
    assert ask(asked, [only_role], role="mayor").stance == "info"
    # however similar it is
    assert ask(asked, [replace(only_role, similarity=0.95)], role="mayor").stance == "info"
    naming = ScoredRule(mayor, 0.9, 0.85, 3, True, shared=0.46, topic_shared=0.4)
    assert ask(asked, [naming], role="mayor").stance == "must"


def test_a_duty_gives_no_yes_required_when_a_rule_closer_to_the_question_uses_more_of_its_words():
    # "Må jeg gjennomføre medietrening? Er avdelingsleder …": the rule naming the asker's role won the ranking
    own_role = rule("Avdelingsledere gir faktaopplysninger og faglige vurderinger på vegne av sin virksomhet.", "responsible",
                    roles=("unit_leader",))
    training = rule("Ledere med mye mediekontakt skal gjennomføre medietrening.", "must", roles=("leader",), restricted=True)
    candidates = [
        ScoredRule(own_role, 0.925, 0.884, 3, True, shared=0.29, topic_shared=0.06),
        ScoredRule(training, 0.898, 0.920, 2, True, shared=0.25, topic_shared=0.39),
    ]
    answer = ask("Må jeg gjennomføre medietrening?", candidates, role="unit_leader")
    assert answer.stance == "info" and candidates[1] in answer.alternatives


def test_a_duty_for_only_some_of_the_askers_role_is_no_yes_required():
    # "Må alle ansatte på medietrening? Jeg er bare saksbehandler"
    training = rule("Alle tjenesteledere og relevante fagpersoner skal gjennomgå medietrening.", "must",
                    roles=("unit_leader", "employee"), partial=("employee",))
    assert ask("Må jeg gjennomføre medietrening?", [scored(training, 0.9, shared=0.5)], role="employee").stance == "info"
    assert ask("Må jeg gjennomføre medietrening?", [scored(training, 0.9, shared=0.5, fit=3)], role="unit_leader").stance == "must"


def test_advice_or_a_duty_about_another_act_than_the_one_asked_about_is_no_yes():
    same = rule("Det bør være samme person gjennom hele krisen.", "should", roles=())
    asked = "Bør vi bytte talsperson underveis i en lang krise?"
    answer = decide(scored(same, 0.9, shared=0.5), [scored(same, 0.9, shared=0.5)], "obligation", True, None, 0.8,
                    MIN_SIMILARITY, DEFAULT, asked, advises_the_act=names_the_act(asked, same, words))
    assert answer.stance == "info"
    assert names_the_act("Bør vi bytte talsperson?", rule("Dere bør bytte talsperson hver uke.", "should"), words)
    assert names_the_act("Bør jeg dra inn kommunikasjonsenheten?", same, words)  # "dra": too short to tell
    # a verb whose stem is too short for an index word (nynorsk "byte") is looked for as the start of a rule's word
    no_index_word = lambda text: set()  # noqa: E731 - as the index gives for "byte" (stem "byt")
    assert not names_the_act("Bør vi byte talsperson undervegs i ei lang krise?", same, no_index_word)
    assert names_the_act("Bør vi byte talsperson?", rule("Dere bør bytte talsperson hver uke.", "should"), no_index_word)
    assert names_the_act("Kan jeg bytte talsperson?", same, words)  # no advice question


def test_a_duty_with_a_limit_is_no_plain_required():
    # "Skal jeg uttale meg om små saker på en enkelt skole?" from "Rådmannen uttaler seg …, først og fremst om større saker"
    limited = scored(
        rule("Rådmannen uttaler seg om administrative forhold, først og fremst om større saker.", "responsible",
             roles=("chief_executive",), restricted=True),
        0.9, shared=0.5,
    )
    assert ask("Skal jeg uttale meg om små saker på en enkelt skole?", [limited], role="chief_executive").stance == "info"


def test_a_yes_but_quotes_the_limit_only_where_it_is_a_clause_of_its_own():
    stitched = verdict_text("yes_limits", MAY_SPEAK_LIMITED, "nb").text
    assert stitched == "Ja, men bare gi faktaopplysninger – ikke gi vurderinger."
    by_authority = rule("Øvrige ansatte kan gi faktaopplysninger, og uttale seg på vegne av kommunen etter fullmakt.", "may", restricted=True)
    assert verdict_text("yes_limits", by_authority, "nb").text == (
        "Ja, men bare gi faktaopplysninger, og uttale seg på vegne av kommunen etter fullmakt."
    )
    for text in (
        "Ledere kan delegere til fagpersoner å uttale seg, men det overordnede ansvaret tilhører lederen.",
        "Alle ansatte kan som privatpersoner ytre seg fritt innenfor lovens rammer.",
        "Øvrige politiske kommentarer kan også gis av andre folkevalgte, men er ikke omfattet av reglementet.",
        # the limit opens the sentence, and the subject follows "kan"
        "I særskilte tilfeller kan kommunikasjonsrådgiver være talsperson.",
    ):
        verdict = verdict_text("yes_limits", rule(text, "may", restricted=True), "nb")
        assert (verdict.stance, verdict.text) == ("yes_but", "Ja, men innenfor vilkårene i regelen under."), text


def test_advice_answers_only_a_question_asking_for_advice():
    advice = scored(rule("Kommunen bør holdes oppdatert om krisen.", "should", roles=()), 0.9, fit=1, shared=0.6, similarity=0.9)
    assert ask("Bør vi holde kommunen oppdatert om krisen?", [advice]).stance == "must"  # "Det anbefales."
    assert ask("Må vi holde kommunen oppdatert om krisen?", [advice]).stance == "info"
    consent = rule("Bilder av kolleger kan kun publiseres hvis kolleger samtykker.", "may", restricted=True)
    assert verdict_text("yes_limits", consent, "nb").text == "Ja, men innenfor vilkårene i regelen under."


CRISIS_REPLACES = rule(
    "Dersom det oppstår en situasjon der kriseledelse etableres, erstattes dette reglementet av kriseplanen.",
    "must", roles=(), conditional=True,
)
UNIT_LEADERS_ANSWER = rule("Enhetsledere gir faktaopplysninger og faglige vurderinger til pressen.", "responsible", roles=("unit_leader",))


def test_a_leader_asking_for_a_crisis_is_shown_the_crisis_rule_not_told_yes_from_the_everyday_rule():
    candidates = [scored(UNIT_LEADERS_ANSWER, 0.95, similarity=0.878), scored(CRISIS_REPLACES, 0.80, similarity=0.87, fit=1)]
    everyday = ask("Kan jeg som enhetsleder svare pressa selv?", candidates, role="unit_leader")
    in_crisis = ask("Under en krise med kriseledelse, kan jeg som enhetsleder svare pressa selv?", candidates, role="unit_leader")

    assert everyday.stance == "yes_but"
    assert in_crisis.stance == "info" and in_crisis.alternatives[0].rule is CRISIS_REPLACES


def test_a_crisis_told_before_the_question_shows_the_crisis_rule_first_when_the_answer_depends():
    # the everyday rule is about what was asked only in part; of the rules shown, the one for the crisis comes first
    press = rule("Ansatte kan gi faktaopplysninger til pressen.", "may", roles=("employee",))
    personnel = rule("Personalsaker skal ikke kommenteres i media.", "must_not", roles=())
    candidates = [scored(press, 0.95, shared=0.1), scored(personnel, 0.94, fit=1, shared=0.1), scored(CRISIS_REPLACES, 0.80, fit=1)]
    answer = ask("Det er flom og kriseledelse er satt. NRK ringer meg. Kan jeg svare pressen?", candidates)
    assert answer.stance == "info" and answer.alternatives[0].rule is CRISIS_REPLACES


def test_a_rule_for_the_situation_written_for_another_role_does_not_take_the_askers_verdict():
    # "Når ordfører uttaler seg som partipolitiker, …" is no rule for an employee speaking to the paper
    follow = rule("Ansatte skal følge kommunikasjonsstrategien.", "must", roles=("employee",))
    mayors = rule("Når ordfører uttaler seg som partipolitiker, skal dette komme klart frem.", "must", roles=("mayor",), conditional=True)
    question = "Må jeg følge kommunikasjonsstrategien når jeg uttaler meg til avisa?"
    assert ask(question, [scored(follow, 0.95), scored(mayors, 0.80, fit=0)]).stance == "must"
    assert ask(question, [scored(follow, 0.95), scored(mayors, 0.80, fit=1)]).stance == "info"


def test_a_situation_the_best_rule_names_itself_keeps_its_verdict():
    crisis_duty = rule("Under en krise skal enhetsledere henvise pressen til kriseledelsen.", "must", roles=("unit_leader",))
    candidates = [scored(crisis_duty, 0.95), scored(CRISIS_REPLACES, 0.80, fit=1)]
    assert ask("Under en krise, må jeg henvise pressen til kriseledelsen?", candidates, role="unit_leader").stance == "must"


def test_whether_a_rule_still_applies_is_not_answered_by_its_modal_verb():
    candidates = [scored(CRISIS_REPLACES, 0.9, fit=1, shared=0.6)]
    answer = ask("Hvis det blir krise og kriseledelse – gjelder pressereglementet fortsatt?", candidates, role="comms")
    assert answer.stance == "info"


@pytest.mark.parametrize(
    "question, situation",
    [
        ("Under en krise med kriseledelse, kan jeg svare pressa selv?", "en krise med kriseledelse"),
        ("Hvis det blir krise – gjelder pressereglementet?", "det blir krise"),
        ("Kan jeg svare pressa under en krise?", "en krise"),
        ("Can I talk to the press during a crisis?", "a crisis"),
        ("Hvem snakker med media i en krise?", "en krise"),
        ("Kan jeg uttale meg til pressen?", ""),
        ("Kan jeg uttale meg i avisa?", ""),
        ("I en krisesituasjon – kan jeg som enhetsleder uttale meg til media?", "en krisesituasjon"),
        ("In a crisis, may I speak to the press?", "a crisis"),
        ("I en e-post fra journalisten spør hun om tall. Kan jeg svare?", ""),
        ("When can I speak to the press, and when not?", ""),
        # at the end, and a question about when is not one
        ("Kan jeg uttale meg til pressen hvis det blir en krise?", "det blir en krise"),
        ("Kan jeg som enhetsleder svare pressen når det er krise?", "det er krise"),
        ("Når trenger jeg tillatelse fra lederen min, og når ikke?", ""),
        ("When am I allowed to speak to the press, and when not?", ""),
        # a crisis told in sentences of its own, in the words that make one
        ("Det er flaum og vi må evakuere sjukeheimen, kriseleiinga er sett. NRK ringjer meg. Kan eg uttale meg?",
         "flaum evakuere kriseleiinga"),
        ("Det brenner på skolen. Kan jeg svare avisa?", "brenner"),
    ],
)
def test_the_situation_a_question_is_asked_for_is_read(question, situation):
    assert read_question(question).situation == situation


PERSONNEL_CASES = rule("Personalsaker skal ikke kommenteres i media.", "must_not", roles=())


def test_a_yes_but_gives_way_to_a_prohibition_as_close_to_the_question_that_uses_more_of_its_words():
    """"… om en ansatt som er suspendert?": the limited permission for ordinary staff ranks first for
    naming their role, but the rule about personnel cases is as close and is what was asked about."""
    facts = scored(MAY_SPEAK_LIMITED, 0.93, similarity=0.852, fit=4, shared=0.20)
    personnel = scored(PERSONNEL_CASES, 0.85, similarity=0.859, fit=1, shared=0.35)
    answer = ask("Har vi lov til å si noe til pressen om en ansatt som er suspendert?", [facts, personnel])
    assert answer.stance == "info" and personnel in answer.alternatives


def test_a_prohibition_that_only_shares_the_topic_leaves_the_yes_but():
    facts = scored(MAY_SPEAK_LIMITED, 0.93, similarity=0.852, fit=4, shared=0.40)
    personnel = scored(PERSONNEL_CASES, 0.85, similarity=0.855, fit=1, shared=0.10)
    assert ask("Kan jeg uttale meg til pressen?", [facts, personnel]).stance == "yes_but"


def test_asking_about_what_a_limit_forbids_gets_no_yes_in_front_of_it():
    """"Ja, men bare gi faktaopplysninger – ikke gi vurderinger" is no answer to "may I give assessments?"."""
    limited = rule("Øvrige ansatte kan gi faktaopplysninger, men skal ikke gi vurderinger i saken.", "may", restricted=True)
    assert ask("Kan jeg gi vurderinger til pressen?", [scored(limited, 0.9)]).stance == "info"
    assert ask("Kan jeg gi faktaopplysninger til pressen?", [scored(limited, 0.9)]).stance == "yes_but"


@pytest.mark.parametrize(
    "question, intent",
    [
        ("Ved en ulykke, skal kritikk rettes til nærmeste overordnede?", "obligation"),
        ("Under en krise, hvem snakker med media?", "who"),
        ("Under en krise, kan lederen min hindre meg i å skrive leserinnlegg?", "permission"),
    ],
)
def test_a_situation_put_first_leaves_the_question_after_it_to_be_read(question, intent):
    assert read_question(question).intent == intent


def test_how_to_apply_a_rule_is_no_question_whether_it_applies():
    assert not read_question("How do I apply the social media rules?").validity
    assert read_question("Does the press policy apply during a crisis?").validity
    assert read_question("Gjelder pressereglementet fortsatt?").validity
    # after a lead-in too, so "not covered, but bound by …" gives no "Ja, men innanfor vilkåra"
    asked = "Eg sit i kommunestyret, gjeld kommunikasjonsstrategien for meg?"
    assert read_question(asked).validity
    not_covered = rule(
        "Folkevalgte omfattes ikke av strategien, men er forpliktet til å følge kommunens etiske regelverk.",
        "may", roles=("elected",), restricted=True,
    )
    assert ask(asked, [scored(not_covered, 0.9, shared=0.6)], role="elected").stance == "info"


def test_a_prohibition_holds_in_the_situation_asked_about_too():
    personnel = scored(PERSONNEL_CASES, 0.95, shared=0.5)
    answer = ask("Kan jeg kommentere en personalsak i media under en krise?", [personnel, scored(CRISIS_REPLACES, 0.8, fit=1)])
    assert answer.stance == "no"


def test_advice_that_says_not_is_no_recommendation():
    """"Bør jeg kommentere saken i media?" is not "Det anbefales" from a rule that says "bør … ikke"
    (read as advice where the "ikke" stands far from the "bør")."""
    against = rule("Dersom brukeren fritar kommunen fra taushetsplikten, bør leder likevel ikke kommentere saken.", "should", roles=("leader",))
    assert ask("Bør jeg kommentere saken i media?", [scored(against, 0.9, shared=0.5)], role="leader").stance == "info"


def test_a_question_without_what_the_permission_asks_for_gets_no_yes():
    on_authority = rule("Øvrige ansatte kan uttale seg på vegne av kommunen etter fullmakt.", "may", restricted=True)
    assert ask("Kan jeg uttale meg på vegne av kommunen uten fullmakt?", [scored(on_authority, 0.9, shared=0.6)]).stance == "info"


def test_a_prohibition_on_what_the_question_is_about_stands_beside_the_permission_that_ranks_first():
    """"… om en kollega som er sykmeldt?": the permission to give facts names the question's own words
    and ranks far ahead, but the prohibition names what the question is about."""
    sick_colleagues = rule("Saker om sykmeldte kolleger skal ikke kommenteres i media.", "must_not", roles=())
    facts = scored(MAY_SPEAK_LIMITED, 0.99, similarity=0.877, fit=4, shared=0.43)
    sick = scored(sick_colleagues, 0.82, similarity=0.852, fit=1, shared=0.20)

    about_a_colleague = ask("Kan jeg gi faktaopplysninger til pressen om en kollega som er sykmeldt?", [facts, sick])
    plain = ask("Kan jeg gi faktaopplysninger til pressen?", [facts, sick])

    assert about_a_colleague.stance == "info" and about_a_colleague.alternatives == (sick,)
    assert plain.stance == "yes_but"
    assert read_question("Kan jeg gi faktaopplysninger til pressen om en kollega som er sykmeldt?").about == "en kollega som er sykmeldt"


def test_a_prohibition_naming_what_the_question_is_about_is_a_no_beside_the_general_permission():
    """"Hva gjør jeg hvis en journalist spør om …?" about a personnel case: the prohibition names it, the
    permission to speak about one's own field doesn't, so the specific rule's "no" stands."""
    personnel = scored(PERSONNEL_CASES, 0.90, similarity=0.85, fit=1, shared=0.35)
    own_field = scored(MAY_SPEAK, 0.88, similarity=0.85, fit=3, shared=0.2)
    asked = "Hva gjør jeg hvis en journalist spør om personalsaken til en kollega?"
    assert ask(asked, [personnel, own_field], role=None).stance == "no"
    # a permission that names it too still makes it "it depends"
    named_too = scored(rule("Ansatte kan gi faktaopplysninger om personalsaker som er offentlige.", "may"), 0.88, similarity=0.85)
    assert ask(asked, [personnel, named_too], role=None).stance == "info"


def test_a_union_rep_asking_whether_the_strategy_binds_them_gets_no_yes_from_the_rule_saying_it_does_not():
    # "… er jeg bundet av kommunikasjonsstrategien …?" had "Ja, men …" from "De er ikke bundet av …, men må …":
    # being bound is a duty question, and a permission with a limit is no "yes" to it
    not_bound = rule(
        "De er ikke bundet av kommunikasjonsstrategien, men må være bevisst på hvordan utspill påvirker omdømmet.",
        "may", roles=("union_rep",), restricted=True,
    )
    question = "Som tillitsvalgt i kommunen, er jeg bundet av kommunikasjonsstrategien når jeg uttaler meg?"
    assert read_question(question).intent == "obligation"
    assert ask(question, [scored(not_bound, 0.95, fit=3)], role="union_rep").stance not in ("yes", "yes_but", "must")


def test_a_duty_saying_without_what_was_asked_is_no_yes_required():
    # "Portalen skal være åpen for alle, uten passord" does not say a password is required
    open_portal = rule("Portalen skal være åpen for alle, uten passord.", "must", roles=())
    question = "Trenger jeg passord for å komme inn på ansattportalen?"
    assert ask(question, [scored(open_portal, 0.9, fit=1, shared=0.5)]).stance == "info"
    with_login = rule("Portalen skal være åpen for alle ansatte med passord.", "must", roles=())
    assert ask(question, [scored(with_login, 0.9, fit=1, shared=0.5)]).stance == "must"


def test_a_union_rep_whose_own_rule_exempts_them_is_told_not_required_beside_a_duty_for_all_staff():
    # "Er eg bunden av strategien?": the rule for union reps governs the duty written for employees and leaders
    exempt = rule("Tillitsvalgte har en fristilt rolle og er ikke bundet av denne strategien.", "may", roles=("union_rep",))
    staff_duty = rule("Tiltak i denne strategien må følges av ansatte og ledere.", "must", roles=("employee", "leader"))
    question = "Eg er tillitsvald. Er eg bunden av strategien når eg uttaler meg til avisa?"
    candidates = [scored(exempt, 0.9, fit=3), scored(staff_duty, 0.88, fit=2)]
    assert ask(question, candidates, role="union_rep").stance == "no"
    # the same duty written for the asker's own role still makes it "it depends"
    own_duty = rule("Tillitsvalgte må følge tiltakene i denne strategien.", "must", roles=("union_rep",))
    assert ask(question, [scored(exempt, 0.9, fit=3), scored(own_duty, 0.88, fit=3)], role="union_rep").stance == "info"


def test_a_yes_no_question_asking_neither_may_nor_must_gets_no_yes_but_from_a_limited_permission():
    limited = rule("Ansatte kan gi faktaopplysninger, men skal ikke gi vurderinger.", "may", restricted=True)
    assert verdict_text(verdict_key(limited, "open", True), limited, "nb").stance not in ("yes", "yes_but")
    assert verdict_key(limited, "open", False) == "yes_limits"  # an open question that is no yes/no keeps the limit


def test_a_yes_no_question_asking_neither_may_nor_must_is_not_told_a_duty():
    # "Har tillitsvalgte noen rolle i internkommunikasjonen?" had "Ja, det er et krav" from a duty of all staff
    included = rule("Medarbeiderne skal oppleve at de er inkludert og informert om viktige prosesser.", "must")
    question = "Jeg er tillitsvalgt. Har tillitsvalgte noen rolle i internkommunikasjonen?"
    assert read_question(question).intent == "open"
    assert ask(question, [scored(included, 0.9, fit=2, shared=0.5)], role="union_rep").stance == "info"
    advice = rule("Ledere bør informere de ansatte først.", "should", roles=("leader",))
    assert verdict_text(verdict_key(advice, "open", True), advice, "nb").stance == "info"


def test_a_freedom_stated_beside_a_prohibition_in_its_section_is_no_plain_yes():
    # "Kan jeg skrive under med «helsesykepleier i … kommune»?" had "Ja." from "full ytringsfrihet som
    # privatpersoner"; the section's "Kommunal stillingstittel … skal ikke benyttes" ranks far below it
    freedom = rule("Ansatte har full ytringsfrihet som privatpersoner.", "may")
    title = rule("Kommunal stillingstittel, brev eller e-post skal ikke benyttes.", "must_not")
    far = scored(title, 0.80, similarity=0.80, shared=0.0, on_topic=False)
    question = "Kan jeg skrive under med «helsesykepleier i kommunen» selv om det er mitt private syn?"
    answer = ask(question, [scored(freedom, 0.95, similarity=0.9), far])
    assert answer.stance == "info" and title in [c.rule for c in answer.alternatives]
    # a prohibition in another section doesn't take the yes
    elsewhere = rule("Kommunal stillingstittel, brev eller e-post skal ikke benyttes.", "must_not", document="kommune/sosiale-medier.txt")
    assert ask(question, [scored(freedom, 0.95, similarity=0.9), scored(elsewhere, 0.80, similarity=0.80, shared=0.0, on_topic=False)]).stance == "yes"


def test_who_answers_name_the_subject_of_the_clause_the_question_is_about():
    # one sentence, two duties for two roles: running the account and holding its admin rights
    accounts = rule(
        "Tenesteleiar er ansvarleg for drifta av den einskilde konto, og kommunedirektøren skal ha "
        "administratorrettar til kontoen.",
        "responsible", roles=("unit_leader",),
    )
    candidate = scored(accounts, 0.9)
    admin = "Kven skal ha administratorrettar til kontoane?"
    assert set(holders(candidate, asked=frozenset(words(admin)), words=words)) == {"chief_executive"}
    running = "Kven har ansvaret for drifta av kontoen?"
    assert set(holders(candidate, asked=frozenset(words(running)), words=words)) == {"unit_leader"}
    # a question neither clause speaks to more than the other names nobody rather than guessing
    assert holders(candidate, asked=frozenset(words("Kven bestemmer?")), words=words) == {}
    # a sentence with one subject is read as before
    single = scored(rule("Kommunikasjonssjefen er pressekontakt i større saker.", "responsible", roles=("comms",)), 0.9)
    assert set(holders(single, asked=frozenset(words(admin)), words=words)) == {"comms"}

"""The pure answering pieces on their own: reading a question, deciding whether it is about
communication at all, and the verdict a rule gives the asker."""
from __future__ import annotations

import pytest

from bot.answering.matching import condition_of
from bot.answering.questions import EmptyQuestion, QuestionError, asker_is_subject, clean_question, read_question, roles_offered, task_asked
from bot.answering.scope import scope_of
from bot.answering.verdicts import Verdict, verdict_for
from index.lexical import expand_query
from knowledge.rules import Rule


def rule(text: str, modality: str, roles: tuple[str, ...] = ("employee",), **flags: bool) -> Rule:
    return Rule("r1", text, modality, roles, "p1", "doc", "testby", "Kjøreregler", "7", **flags)


# -- reading a question -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, intent, yes_no",
    [
        ("Kan jeg uttale meg til pressen?", "permission", True),
        ("Hvem uttaler seg på vegne av kommunen?", "who", False),
        ("Kven snakkar med media i ei krise?", "who", False),
        ("Who speaks for the municipality?", "who", False),
        # the question doesn't end at an abbreviation
        ("Kven uttaler seg om administrative ting i store saker, t.d. omorganisering av heile kommunen?", "who", False),
        ("Må jeg informere lederen min før jeg snakker med en journalist?", "obligation", True),
        # whether one role is the only one is answered by who it is, not by a yes from a modal verb
        ("Er det bare ordføreren som kan uttale seg om politiske saker?", "who", False),
        ("In Bærum, who acts as press contact when a really big case hits the news?", "who", False),
        # a duty word in a yes/no question about what someone did: no permission is asked
        ("Har departementet bestemt hvilke tiltak kommunen vår må gjennomføre?", "open", True),
        ("Vil lage egen logo på skolens brosjyrer. Går det an?", "permission", True),
        ("Is it only managers who need to know the limits of our freedom of expression?", "who", False),
        ("Er rådmannen den eneste som kan gi kommentarer?", "who", False),
        ("Kan jeg uttale meg, eller er det bare ordføreren som får?", "permission", True),  # the asker asks for themselves
        # which unit holds a duty is asked as "who"; what a role does is not
        ("Kva eining har hovudansvaret for kommunikasjonen med innbyggjarane?", "who", False),
        ("Which department handles press inquiries?", "who", False),
        # the choice offered after a dash belongs to the question before it
        ("Kven har det øvste informasjonsansvaret i Østre Toten – ordføraren eller kommunedirektøren?", "who", False),
        ("Hvilken rolle har tillitsvalgte i kommunikasjonen?", "open", False),
        # "eller" inside a condition joins its cases; it offers no choice of answers
        ("Må vi ha noen som kan ta over dersom talspersonen blir syk eller krisen varer lenge?", "obligation", True),
        ("Hva er målet med kommunikasjonsstrategien?", "open", False),
    ],
)
def test_a_staff_member_is_understood_to_ask_for_the_right_kind_of_answer(question, intent, yes_no):
    read = read_question(question)
    assert (read.intent, read.yes_no) == (intent, yes_no)


def test_whether_only_some_roles_hold_a_task_is_told_from_the_question():
    assert read_question("Er det bare ordføreren som kan uttale seg om politiske saker?").asks_if_only
    assert read_question("Is it only managers who need to know the limits of our freedom of expression?").asks_if_only
    assert not read_question("Hvem uttaler seg om politiske saker?").asks_if_only


def test_whom_the_asker_turns_to_is_told_from_who_holds_a_task():
    assert read_question("Er enhetsleder og usikker. Hvem skal jeg konferere med?").asker_acts
    assert read_question("Kven må eg kontakte?").asker_acts
    assert read_question("Who should I tell?").asker_acts
    assert read_question("Hvem har ansvar for at vi ansatte kjenner til kommunikasjonsstrategien?").asker_acts
    assert not read_question("Hvem uttaler seg på vegne av kommunen?").asker_acts


def test_asking_whom_to_turn_to_for_help_or_advice_is_told_from_who_holds_a_task():
    assert read_question("Hvem kan jeg spørre om råd før jeg svarer en journalist?").seeks_help
    assert read_question("Kven kan hjelpe meg med ei pressemelding?").seeks_help
    assert read_question("Who do I contact if a reporter calls?").seeks_help
    assert not read_question("Hvem uttaler seg på vegne av kommunen?").seeks_help
    assert not read_question("Kan jeg spørre kommunikasjonsavdelingen om råd?").seeks_help  # not a "who" question


def test_the_roles_a_question_offers_as_alternatives_are_read_from_it():
    assert roles_offered("Hvem uttaler seg til avisa, ordføreren eller rådmannen?") == {"mayor", "chief_executive"}
    assert roles_offered("who speaks to the media, the mayor or the chief executive?") == {"mayor", "chief_executive"}
    assert roles_offered("Kan ansatte og ledere uttale seg?") == set()
    assert roles_offered("Hvem svarer pressen, meg eller kommunikasjonsavdelingen?") == set()


def test_the_task_a_who_is_responsible_question_names_is_read_from_it():
    assert task_asked("Kven har ansvaret for drifta av ein offisiell konto når han fyrst er oppretta?") == "drifta"
    assert task_asked("Hvem er ansvarlig for å oppdatere nettsidene?") == "oppdatere"
    assert task_asked("Hvem uttaler seg på vegne av kommunen?") == ""
    # the task as a verb: "runs" is what the documents call "drift"
    assert task_asked("Who runs each official account day to day?") == "runs"
    assert task_asked("Hvem drifter kontoene?") == "drifter"
    assert "drift" in expand_query("runs")
    # the verb after "who must/shall …", and what is to be done after "ansvar for å få …"
    assert task_asked("hvem skal egentlig svare på spørsmål som kommer inn på facebooksiden?") == "svare"
    assert task_asked("Vi vil ha egen facebookside for barnehagen, hvem må godkjenne det?") == "godkjenne"
    assert task_asked("Hvem har ansvar for å få det rettet opp?") == "rettet"
    assert task_asked("Hvem skal jeg konferere med?") == ""  # the asker acts: no task of a holder's
    assert task_asked("Hvem skal være talsperson?") == ""
    assert task_asked("Hvem skal uttale seg om vedtaket til pressen?") == ""  # what every such rule is about


def test_who_must_or_should_do_something_is_a_who_question_wherever_it_stands():
    assert read_question("Vi vil ha egen facebookside for barnehagen, hvem må godkjenne det?").intent == "who"
    assert read_question("Kven bør uttale seg når det er krise?").intent == "who"
    assert read_question("So who needs to approve the post?").intent == "who"


def test_a_question_about_oneself_is_marked_first_person():
    assert read_question("Kan jeg dele bilder fra jobben?").first_person
    assert not read_question("Kan ordføreren uttale seg om saken?").first_person


def test_a_question_is_cleaned_of_control_characters_and_folded_spaces():
    assert clean_question("  Kan\u200b jeg\x00uttale   meg?\n", 500) == "Kan jeg uttale meg?"


def test_an_empty_or_huge_question_gets_a_clear_error_in_the_askers_language():
    with pytest.raises(EmptyQuestion):
        clean_question(" \n\t", 500)
    with pytest.raises(QuestionError, match="under 1 000 tegn"):
        clean_question("Kan jeg uttale meg til pressen om saken? " * 100, 1000)


# -- is it about communication? -----------------------------------------------------------------


@pytest.mark.parametrize(
    "question, scope",
    [
        ("Kan jeg uttale meg til pressen?", "in"),
        ("Can I post photos from work on Instagram?", "in"),
        ("Hvem skal fronte kommunen utad i administrative saker?", "in"),  # representing it in public
        ("Should our first message focus on the financial damage?", "in"),
        ("Hvor mange feriedager har jeg?", "off"),
        ("Kan jeg uttale meg på vegne av kommunen om den nye turnusordningen?", "in"),
        ("Kan eg sende info om ny turnusordning på e-post til alle tilsette?", "in"),  # information sent, short "info"
        ("Får jeg betalt overtid hvis jeg må svare journalister på kveldstid?", "off"),
        ("Får eg ekstra betalt viss eg stiller opp som pressekontakt i helga?", "off"),  # pay, whatever the task
        ("Jeg har ikke PC på jobb. Har jeg ansvar for å følge med på intranettet?", "in"),  # the sentence that asks
        ("Noen av oss har ikke PC på jobben. Skal vi likevel lese ansattportalen?", "in"),  # an employee portal is a channel
        ("Noen sendte en klage i Messenger til kommunens side. Kan jeg bare behandle den der i chatten?", "in"),  # a channel
        ("Kan eg vere med i faglege diskusjonar i eit forum for sjukepleiarar?", "in"),  # taking part in a discussion
        ("Kvar finn eg interne nyheiter, og treng eg passord for å kome inn?", "in"),
        ("Kan vi lage vårt eget design på plakaten uten kommunevåpenet?", "in"),  # visual identity
        ("Can I use the official page to ask people to sign a petition?", "in"),  # a web or Facebook page  # news first (nynorsk), then the login
        # an everyday word the glossary gives a term of the domain for (sykmeldt → personalsaker)
        ("En ansatt har vært sykmeldt etter en konflikt. Kan jeg bekrefte at hun er sykmeldt?", "in"),
        # a named outlet called to ask, unlike one's boss
        ("Tidens Krav ringte og spurte hvor mange vannlekasjer vi har hatt. Kan jeg svare på det?", "in"),
        ("Sjefen ringte og spurte om jeg kunne ta en ekstravakt på lørdag. Må jeg det?", "unknown"),
        ("I'm fed up with the staffing at my unit. Can I take this up with the local paper?", "in"),  # a newspaper
        ("How do I reset my password?", "off"),
        ("Can I send an email to all employees about our open day?", "in"),  # e-mail is a channel, as "e-post" is
        ("Is it my job to make sure my staff get the internal info they need?", "in"),  # internal communication
        # whether a channel needs a password is its access policy; a password's own use stays an IT matter
        ("Do I need a password to get into the employee portal?", "in"),
        ("Må jeg ha passord for å komme inn på ansattportalen hjemmefra?", "in"),
        ("How often do I have to change my password for the intranet?", "off"),
        ("What's the username and password for the municipality's Facebook page?", "off"),
        ("Trenger jeg nytt passord til PC-en?", "off"),
        ("Can I take sick leave after the interview?", "off"),
        # "leave" alone is no leave of absence
        ("Someone left a wrong price in a comment on our Facebook page. Should we correct it or just leave it?", "in"),
        ("Hva koster en kaffe?", "unknown"),
    ],
)
def test_a_question_is_in_scope_off_topic_or_unknown(question, scope):
    assert scope_of(question) == scope


# -- the verdict table --------------------------------------------------------------------------


def test_a_permission_question_answered_by_a_permission_is_a_yes():
    assert verdict_for(rule("Ansatte kan uttale seg.", "may"), "permission", True, "nb") == Verdict("yes", "Ja.")


def test_a_permission_question_answered_by_a_prohibition_is_a_no_in_every_language():
    prohibition = rule("Ansatte skal ikke uttale seg på vegne av kommunen.", "must_not")
    assert verdict_for(prohibition, "permission", True, "nb") == Verdict("no", "Nei.")
    assert verdict_for(prohibition, "permission", True, "en") == Verdict("no", "No — the rule forbids it.")


def test_a_permission_with_limits_repeats_the_rules_own_words():
    limited = rule("Ansatte kan gi faktaopplysninger, men skal ikke gi vurderinger.", "may", restricted=True)
    assert verdict_for(limited, "permission", True, "nb") == Verdict("yes_but", "Ja, men bare gi faktaopplysninger – ikke gi vurderinger.")


def test_a_question_opening_with_trenger_asks_about_a_duty():
    for question in ("Trenger vi å avklare det med noen først?", "Treng eg å seie frå?", "Do we need to tell anyone?"):
        parsed = read_question(question)
        assert (parsed.intent, parsed.yes_no) == ("obligation", True), question


def test_an_obligation_question_answered_by_a_permission_is_no_but_you_may():
    assert verdict_for(rule("Ansatte kan varsle lederen.", "may"), "obligation", True, "nn") == Verdict("no", "Nei, det er ikkje eit krav – men du kan.")


def test_a_rule_for_another_role_says_whom_it_applies_to_instead_of_yes_or_no():
    for_leaders = rule("Enhetsledere kan uttale seg om egen enhet.", "may", roles=("unit_leader",))
    verdict = verdict_for(for_leaders, "permission", True, "nb", fits_asker=False)
    assert verdict.stance == "info" and verdict.text.startswith("Regelen gjelder ") and "Ja" not in verdict.text


def test_a_who_question_names_the_roles():
    spokes = rule("Ordføreren uttaler seg på vegne av kommunen.", "responsible", roles=("mayor",))
    verdict = verdict_for(spokes, "who", False, "nb")
    assert verdict.stance == "who" and verdict.text.endswith("– se regelen under.")



def test_a_question_pasted_from_word_with_soft_hyphens_and_zero_width_spaces_is_the_plain_question():
    from bot.answering.questions import clean_question

    pasted = "Kan jeg ut\u00adtale meg til pres\u00adsen?\u200b Er\u200d\u2060 det\u200e greit\ufeff?"
    assert clean_question(pasted, 1000) == "Kan jeg uttale meg til pressen? Er det greit?"
    assert clean_question("Kan jeg \ud800 uttale meg?\x00", 1000) == "Kan jeg \ufffd uttale meg?"


def test_soft_hyphens_and_zero_width_spaces_get_the_same_answer_as_the_clean_question(engine):
    clean = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    pasted = engine.ask("Kan jeg ut\u00adtale meg til pres\u00ad\u200bsen?", municipality="ostre-toten", role="employee")
    assert pasted.answered and pasted.rule == clean.rule and pasted.verdict == clean.verdict


def _conditional(text: str) -> Rule:
    return Rule(
        id="k/s.txt:1:0", text=text, modality="should", roles=(), passage_id="k/s.txt:1", document_id="k/s.txt",
        municipality="k", section="Medier", item=None, conditional=True,
    )


def test_the_situation_a_conditional_rule_is_written_for_is_read_from_its_opening_clause():
    assert condition_of(_conditional(
        "Dersom en av kommunens talspersoner har et uplanlagt intervju med media er det viktig at kommunalsjef underrettes."
    )) == "en av kommunens talspersoner har et uplanlagt intervju med media "
    assert condition_of(_conditional("Når media kontakter enheten i en krise, skal media henvises til rådgiver.")) == (
        "media kontakter enheten i en krise"
    )
    assert condition_of(_conditional("Kritikk som gjelder egen arbeidsplass, skal søkes løst tjenestevei.")) == "Kritikk som gjelder egen arbeidsplass"


def test_a_question_about_the_askers_own_duty_has_the_asker_as_its_subject():
    assert asker_is_subject("Er det faktisk mitt ansvar at de ansatte følger plattformen?")
    assert asker_is_subject("Is it really my job to deal with journalists?")
    assert not asker_is_subject("Er det kommunikasjonsavdelingens ansvar?")

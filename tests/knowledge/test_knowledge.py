"""An admin drops documents in a folder: they are cleaned, structured and turned into passages and rules."""
from __future__ import annotations


import pytest

from knowledge.cleaning import clean_lines, normalise_line
from knowledge.library import bundled_documents_dir, load_knowledge
from knowledge.passages import build_passages
from knowledge.readers import read_document
from knowledge.roles import applies_to, find_roles, role_from_title, role_stated_in
from knowledge.rules import extract_rules, split_sentences
from knowledge.structure import parse_blocks
from tests.documents import PRESS_RULES, small_library, write_pdf


def passages_of(text: str, municipality: str = "testby"):
    return build_passages(parse_blocks(clean_lines(text)), "testby/doc.txt", municipality)


def test_cleaning_removes_what_pdf_extraction_leaves():
    text = (
        "Innledning\n\n \uf0b7 Vi bruker et klart språk og en enhetlig kommunikasjons-\nplattform.\n"
        "Kommunikasjonsstrategi s. 21\n8\n \uf0a7 Leder er ansvarlig for oppfølging.\n"
    )
    lines = [line for line in clean_lines(text) if line]
    assert "Kommunikasjonsstrategi s. 21" not in lines and "8" not in lines
    assert lines[1].startswith("• Vi bruker")
    passages = passages_of(text)
    assert any("kommunikasjonsplattform." in p.text for p in passages), [p.text for p in passages]


def test_a_star_bullet_as_markdown_writes_it_or_ocr_reads_a_dot_is_a_bullet():
    # a scanned strategy's "•" comes out of OCR as "*" or "* —"
    assert normalise_line("* — Medarbeidere kan gi faktaopplysninger.") == "• Medarbeidere kan gi faktaopplysninger."
    assert normalise_line("* Vær gjerne aktiv i sosiale medier.") == "• Vær gjerne aktiv i sosiale medier."
    assert normalise_line("*Viktig* regel") == "Viktig regel" and normalise_line("5 * 3 = 15") == "5 * 3 = 15"
    items = [p for p in passages_of("Ansattes bruk av sosiale medier\n\n* Vær gjerne aktiv i sosiale medier, men husk at du har et stort publikum som kan lese alt du skriver.\n* — Vær tydelig på når du uttaler deg som privatperson slik at det ikke reises tvil om din rolle.\n") if p.kind == "item"]
    assert len(items) == 2, [p.text for p in items]


def test_a_detached_footnote_is_moved_out_of_the_sentence_it_interrupted():
    text = (
        "Brukernes behov skal ligge til grunn i all kommunikasjon, fra språkform,\n\n1\n"
        " Basert på Statens kommunikasjonspolitikk.\n\nutforming av skjemaer og kanaler.\n"
    )
    texts = [p.text for p in passages_of(text)]
    assert any("fra språkform, utforming av skjemaer" in t for t in texts), texts


def test_numbered_press_rules_become_items_with_their_numbers_and_section():
    passages = passages_of(PRESS_RULES)
    items = {p.item: p for p in passages if p.kind == "item"}
    assert set(items) == {"1", "2", "3", "4"}
    assert items["3"].text.startswith("Øvrige ansatte kan gi faktaopplysninger innenfor eget fagfelt, men skal ikke")
    assert items["3"].section == ("Kjøreregler for kontakt med pressen",)
    assert all("Kjøreregler s. 4" not in p.text for p in passages)


def test_passage_ids_are_stable_across_reads():
    assert [p.id for p in passages_of(PRESS_RULES)] == [p.id for p in passages_of(PRESS_RULES)]


def test_headings_numbered_appendix_and_bullet_titles_are_recovered():
    text = (
        "3. Kommunens verdier\nVerdiene gir retning.\n3.1 Fem prinsipper for kommunikasjon1\n"
        "Helhetsprinsippet innebærer at informasjonen samordnes.\n\nVedlegg 4:\nKjøreregler for pressen\n"
        "1. Personalsaker skal ikke kommenteres i media.\n2. Leserbrev skal som hovedregel ikke besvares.\n"
    )
    headings = [(b.level, b.text) for b in parse_blocks(clean_lines(text)) if b.kind == "heading"]
    assert headings == [(1, "Kommunens verdier"), (2, "Fem prinsipper for kommunikasjon"), (1, "Vedlegg 4: Kjøreregler for pressen")]


def test_rules_carry_modality_roles_and_source():
    rules = [r for p in passages_of(PRESS_RULES) for r in extract_rules(p)]
    by_item = {}
    for rule in rules:
        by_item.setdefault(rule.item, []).append(rule)
    political = next(r for r in by_item["1"] if "skal gis av ordfører" in r.text)
    assert political.modality == "responsible" and political.roles == ("mayor",)
    unit = by_item["2"][0]
    assert unit.roles == ("unit_leader",)
    employees = by_item["3"][0]
    assert (employees.modality, employees.roles, employees.restricted, employees.exclusive) == ("may", ("employee",), True, True)
    personnel = by_item["4"][0]
    assert personnel.modality == "must_not" and personnel.roles == ()
    assert personnel.section == "Kjøreregler for kontakt med pressen"


def test_sentences_are_not_split_after_abbreviations():
    assert split_sentences("Vi bruker f.eks. Facebook o.l. kanaler. Det er bra.") == [
        "Vi bruker f.eks. Facebook o.l. kanaler.",
        "Det er bra.",
    ]


@pytest.mark.parametrize(
    "words, role",
    [
        ("Enhetsleder hjemmetjenesten", "unit_leader"),
        ("Kommunalsjef oppvekst", "department_head"),
        ("Rådmannen", "chief_executive"),
        ("Hovedtillitsvalgt Fagforbundet", "union_rep"),
        ("Kommunikasjonsrådgiver", "comms"),
        ("Sykepleier", "employee"),
        ("Einingsleiar", "unit_leader"),
        ("Varaordfører", "mayor"),
    ],
)
def test_a_profile_title_maps_to_a_role(words, role):
    assert role_from_title(words) == role


def test_the_asker_can_state_a_role_in_bokmal_nynorsk_or_english():
    assert role_stated_in("Jeg er enhetsleder, kan jeg uttale meg?") == "unit_leader"
    assert role_stated_in("Eg er tillitsvald. Kan eg snakke med pressa?") == "union_rep"
    assert role_stated_in("As a manager, may I comment?") == "leader"
    assert role_stated_in("Kan ansatte snakke med pressen?") is None
    # the subject left out, as people write in chat
    assert role_stated_in("Er rektor. Kan jeg uttale meg om skolen?") == "unit_leader"
    assert role_stated_in("Jobber som kommunalsjef. Hvem uttaler seg?") == "department_head"
    assert role_stated_in("Hva er ansvaret til kommunalsjefen?") is None
    # a pronoun after "Er" is the subject: the role is the one asked about, not the asker's
    assert role_stated_in("Er det kommunikasjonsenheten sin jobb å følge opp strategien, eller min?") is None
    assert role_stated_in("Er du rektor?") is None
    assert role_stated_in("Kan vi som tillitsvalgte uttale oss?") == "union_rep"
    # a committee's chair is elected, not an administrative leader
    assert role_stated_in("Jeg er leder for hovedutvalg for teknisk. Kan jeg uttale meg?") == "elected"
    assert role_stated_in("Eg er leiar i hovudutvalet for oppvekst. Kan eg uttale meg?") == "elected"
    assert role_stated_in("As chair of the health committee, can I talk to the paper?") == "elected"
    assert role_stated_in("Jeg er leder i hjemmetjenesten. Kan jeg uttale meg?") == "leader"
    # the activity is no department
    assert find_roles("Does the project plan need to include a communication part?") == []
    assert [m.role for m in find_roles("Should I ask the communications team first?")] == ["comms"]


def test_a_role_in_a_relative_clause_is_not_the_askers():
    question = "Kan kommunedirektøren forsvare prioriteringene i budsjettet som kommunestyret vedtok?"
    assert role_stated_in(question) is None
    assert role_stated_in("Må jeg følge det som rådmannen sa i møtet?") is None


def test_a_permission_on_a_condition_is_read_as_restricted_and_the_employers_rule_as_a_leaders():
    text = (
        "Kjøreregler for kontakt med pressen\n\n"
        "Øvrige ansatte kan gi faktaopplysninger om eget arbeidsområde, og uttale seg på vegne av kommunen etter fullmakt.\n\n"
        "Arbeidsgiver kan bestemme hvem som skal uttale seg på kommunens vegne.\n\n"
        "Folkevalgte omfattes ikke av strategien, men er forpliktet til å følge kommunens etiske regelverk.\n\n"
        "Ledere kan delegere til fagpersoner å uttale seg, men det overordnede ansvaret tilhører lederen.\n\n"
        "Ledere kan uttale seg om egen enhet, men også om saker som angår hele kommunen.\n\n"
        "I særskilte tilfeller kan kommunikasjonsrådgiver være talsperson.\n\n"
        "Uttalelser kan overlates til virksomhetsledere der det er formålstjenlig.\n"
    )
    rules = {r.text[:12]: r for p in passages_of(text) for r in extract_rules(p)}
    # a permission for some cases only, however the cases are named
    assert rules["I særskilte "].restricted and rules["I særskilte "].modality == "may"
    assert rules["Uttalelser k"].restricted
    assert rules["Øvrige ansat"].restricted and rules["Øvrige ansat"].roles == ("employee",)
    assert rules["Arbeidsgiver"].roles == ("leader",) and not rules["Arbeidsgiver"].restricted
    # "not covered by …, but bound by …": no plain "not required"
    assert rules["Folkevalgte "].modality == "may" and rules["Folkevalgte "].restricted
    assert rules["Ledere kan d"].restricted  # "…, men det overordnede ansvaret tilhører lederen"
    assert not rules["Ledere kan u"].restricted  # "men også" adds, it doesn't limit


def test_a_duty_for_only_part_of_what_it_names_is_read_as_restricted():
    text = (
        "Medietrening\n\n"
        "Ledere med mye mediekontakt skal gjennomføre et opplegg for medietrening.\n\n"
        "Alle tjenesteledere og relevante fagpersoner i kommunen skal gjennomgå medietrening.\n\n"
        "Kommunikasjonssjefen er pressekontakt i større saker.\n\n"
        "Kommunikasjonsavdelingen skal bidra operativt der det vurderes som nødvendig.\n\n"
        "Alle ansatte skal kjenne til den visuelle identiteten.\n"
    )
    rules = [r for p in passages_of(text) for r in extract_rules(p)]

    def rule(words: str):
        return next(r for r in rules if words in r.text)

    assert rule("med mye mediekontakt").restricted  # only leaders with much media contact
    assert rule("i større saker").restricted and rule("i større saker").modality == "responsible"  # only larger cases
    assert rule("der det vurderes").restricted  # where it is judged necessary
    assert not rule("Alle tjenesteledere").restricted  # every service leader, whoever else is "relevant" …
    assert rule("Alle tjenesteledere").partial == ("employee",)  # … and only some staff ("relevante fagpersoner")
    assert not rule("Alle ansatte").restricted


def test_a_rule_that_refers_back_to_the_unit_a_sentence_before_opened_with_is_that_units():
    text = (
        "Trenger du bistand?\n\n"
        "Kommunikasjonsseksjonen bidrar i planlegging og gjennomføring av kommunikasjonstiltak. "
        "Seksjonen har også ansvaret for mediekoordinering og krisekommunikasjon.\n"
    )
    rules = [r for p in passages_of(text) for r in extract_rules(p)]
    assert [(r.text[:20], r.roles) for r in rules] == [("Seksjonen har også a", ("comms",))]


def test_the_writers_own_sentence_is_not_for_the_role_a_sentence_before_named_nor_for_the_heading():
    # a ministry's letter: "jeg" is the writer, not the council the sentence before gave a duty
    text = (
        "Kommunenes innsats for å styrke de ansattes ytringsfrihet\n\n"
        "Kommunestyret, som kommunens øverste organ, må ta sitt ansvar for at reglene gjøres kjent. "
        "Nedenfor viser jeg til noen tiltak som kommunene kan vurdere i sitt arbeid med ytringsfrihet.\n"
    )
    roles = {r.text[:20]: r.roles for p in passages_of(text) for r in extract_rules(p)}
    assert roles == {"Kommunestyret, som k": ("elected",), "Nedenfor viser jeg t": ()}


def test_a_statement_reported_from_someone_else_is_not_for_the_role_a_sentence_before_named():
    # "Sivilombudsmannen uttaler at kommunene kan …" is the ombudsman's observation about the municipalities,
    # not a rule for the employees the sentence before (and the heading) is about
    text = (
        "Kommunenes innsats for å styrke de ansattes ytringsfrihet\n\n"
        "Ansatte skal kjenne rammene for sin ytringsfrihet. "
        "Sivilombudsmannen uttaler at kommunene kan ha behov for økt kunnskap om temaet.\n"
    )
    roles = {r.text[:20]: r.roles for p in passages_of(text) for r in extract_rules(p)}
    assert roles == {"Ansatte skal kjenne ": ("employee",), "Sivilombudsmannen ut": ()}


def test_a_sentence_about_a_thing_is_not_for_the_roles_of_the_sentence_before_but_one_referring_back_is():
    # "Portalen skal være åpen for alle" after a sentence about staff says what the portal is, not a staff duty;
    # a pronoun, a unit named again in short or a passive verb refer back to the roles before
    text = (
        "Intern kommunikasjon\n\n"
        "Ansatte skal holde seg oppdatert på ansattportalen. De skal også lese nyhetsbrevet. "
        "Portalen skal være åpen for alle, uten passord. Vi skal velge digitale kanaler når det er hensiktsmessig.\n\n"
        "Etatsledere uttaler seg om egne tjenester. Uttalelser kan overlates til virksomhetsledere der det er formålstjenlig.\n\n"
        "Kommunikasjonsseksjonen er rådgiver for ledelsen. Seksjonen har også ansvaret for mediekoordinering.\n"
    )
    roles = {r.text[:20]: r.roles for p in passages_of(text) for r in extract_rules(p)}
    assert roles["Ansatte skal holde s"] == ("employee",)
    assert roles["Portalen skal være å"] == () and roles["Vi skal velge digita"] == ()
    assert roles["De skal også lese ny"] == ("employee",)
    assert roles["Uttalelser kan overl"] == ("department_head",)
    assert roles["Seksjonen har også a"] == ("comms",)


def test_roles_something_is_done_to_are_not_who_the_rule_is_for():
    # the leaders named are to be told of an unplanned interview; the rule is for whoever gave it
    text = (
        "Medieprotokoll\n\n"
        "Dersom en av kommunens talspersoner har et uplanlagt intervju med media er det viktig at kommunalsjef, "
        "kommunedirektør, eller kommunikasjonsrådgiver underrettes så snart som mulig. "
        "Når media tar kontakt, skal kommunikasjonsrådgiver gi råd.\n"
    )
    roles = {r.text[:20]: r.roles for p in passages_of(text) for r in extract_rules(p)}
    assert roles["Dersom en av kommune"] == ()
    assert roles["Når media tar kontak"] == ("comms",)


def test_roles_whom_something_goes_to_are_not_who_the_rule_is_for():
    # "til folkevalgte, ledere og ansatte" names whom good communication reaches, not who holds the responsibility
    text = (
        "Ansvar\n\n"
        "God kommunikasjon til folkevalgte, ledere og ansatte setter dem i stand til å ivareta sitt ansvar. "
        "Ledere skal gi informasjon til ansatte i god tid. "
        "I samarbeid med kommunikasjonsenheten skal lederne informere om endringer.\n"
    )
    roles = {r.text[:20]: r.roles for p in passages_of(text) for r in extract_rules(p)}
    assert roles == {"God kommunikasjon ti": (), "Ledere skal gi infor": ("leader",), "I samarbeid med komm": ("leader",)}


def test_a_rule_for_whom_a_description_names_is_for_them_not_for_a_role_its_verb_looks_like():
    text = (
        "Krisekommunikasjon\n\n"
        "Den som leder krisehåndteringen er ansvarlig for at informasjon blir gitt korrekt og raskt. "
        "Det er et godt prinsipp at den som er nærmest saken skal uttale seg. "
        "Det er viktig at så vel folkevalgte, ledere og ansatte er kjent med rammene for ytringsfriheten. "
        "Vi må tåle at ansatte kan reagere negativt.\n"
    )
    rules = {r.text.split(" at ")[0]: r for p in passages_of(text) for r in extract_rules(p)}
    # "leder" is the verb of "Den som leder …": whom the rule is for is described, not named as leaders
    leads = rules["Den som leder krisehåndteringen er ansvarlig for"]
    assert (leads.roles, leads.holder) == ((), "Den som leder krisehåndteringen")
    assert rules["Det er et godt prinsipp"].holder == "den som er nærmest saken"
    # the roles opening the clause "viktig at" governs are whom it is for; not those of a clause after another verb
    assert rules["Det er viktig"].roles == ("elected", "leader", "employee")
    assert rules["Vi må tåle"].roles == ()
    assert find_roles("Jeg som leder må svare.")[0].role == "leader"


def test_the_roles_named_as_the_municipalitys_spokespersons_are_a_rule_for_who_speaks():
    text = (
        "Krisesituasjoner\n\n"
        "I krisesituasjoner er det ordfører, kommunedirektør og kommunikasjonsrådgiver som er kommunens "
        "pressetalspersoner. Eventuelle uttalelser fra andre ledere kan kun skje etter samtykke fra kommunedirektøren.\n"
    )
    rules = [r for p in passages_of(text) for r in extract_rules(p)]
    spokespersons = next(r for r in rules if r.text.startswith("I krisesituasjoner"))
    assert spokespersons.modality == "responsible"
    assert spokespersons.roles == ("mayor", "chief_executive", "comms")


def test_who_will_be_the_spokesperson_is_a_rule_for_who_speaks_even_without_a_modal_verb():
    text = (
        "Talsperson\n\n"
        "Det bør være samme person gjennom hele krisen. "
        "Kriseleder eller den som delegerer det til vil i utgangspunktet være talsperson.\n"
    )
    rules = {r.text[:12]: r for p in passages_of(text) for r in extract_rules(p)}
    assert rules["Kriseleder e"].modality == "responsible"
    assert rules["Det bør være"].modality == "should"  # "være samme person" names no spokesperson


def test_what_a_means_can_achieve_or_what_follows_is_no_permission():
    text = (
        "Mål\n\n"
        "Gjennom god bruk av kommunikasjonstiltak kan viktige prosesser løftes frem. "
        "Slik kan alle ansatte jobbe mot samme mål. "
        "Ansatte kan dele innlegg fra kommunens kontoer. "
        "Dersom leserbrev inneholder faktafeil kan dette imøtegås, men kun etter samråd med kommunalsjef.\n"
    )
    rules = [r for p in passages_of(text) for r in extract_rules(p)]
    assert [(r.text[:15], r.modality) for r in rules] == [("Ansatte kan del", "may"), ("Dersom leserbre", "may")]
    assert rules[1].conditional and rules[1].restricted  # what may be done, in a passive after "kan dette"


def test_a_note_leaving_a_topic_to_another_document_is_read_as_such():
    text = (
        "Innledning\n\n"
        "Krisekommunikasjonsarbeidet er beskrevet i beredskapsplan for kommunen, og blir derfor ikke omtalt i denne strategien.\n"
    )
    (note,) = [r for p in passages_of(text) for r in extract_rules(p)]
    assert note.modality == "refers" and note.conditional and note.roles == ()


def test_role_applicability_follows_the_hierarchy():
    assert applies_to(("leader",), "unit_leader") == 2
    assert applies_to(("unit_leader",), "unit_leader") == 3
    assert applies_to(("unit_leader",), "employee") == 0
    assert applies_to((), "mayor") == 1
    assert [m.role for m in find_roles("Ordfører/varaordfører uttaler seg, og etatsledere om egne tjenester.")] == ["mayor", "mayor", "department_head"]


def test_every_format_is_read_and_a_broken_file_is_reported_not_fatal(tmp_path):
    root = small_library(tmp_path)
    (root / "testby" / "skadet.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (root / "testby" / "regneark.xlsx").write_bytes(b"PK\x03\x04 spreadsheet")
    (root / "testby" / "tom.txt").write_text("")
    kb = load_knowledge(root)
    assert sorted(kb.documents) == ["testby/intern.pdf", "testby/krise.docx", "testby/presseregler.txt", "testby/sosiale-medier.md"]
    reasons = {s.path: s.reason for s in kb.skipped}
    assert "corrupt" in reasons["testby/skadet.pdf"]
    assert "unknown format '.xlsx'" in reasons["testby/regneark.xlsx"]
    assert "empty" in reasons["testby/tom.txt"]
    texts = " ".join(p.text for p in kb.passages)
    assert "Intranettet er hovedkanalen" in texts and "flyttes informasjonsansvaret" in texts
    assert kb.documents["testby/krise.docx"].title == "Krisekommunikasjon"
    assert any(r.roles == ("comms",) and r.modality == "must" for r in kb.rules if r.document_id == "testby/krise.docx")


def test_pdf_text_is_extracted(tmp_path):
    path = write_pdf(tmp_path / "a.pdf", ["Personalsaker skal ikke kommenteres i media."])
    assert "Personalsaker skal ikke kommenteres" in read_document(path)


def test_a_file_outside_a_municipality_folder_is_skipped_with_advice(tmp_path):
    (tmp_path / "løs.txt").write_text("Ansatte kan uttale seg.")
    kb = load_knowledge(tmp_path)
    assert kb.skipped and "municipality folder" in kb.skipped[0].reason


def test_the_bundled_knowledge_base_has_the_four_municipalities_and_the_press_rules():
    kb = load_knowledge(bundled_documents_dir())
    assert kb.municipalities == ["asker", "baerum", "modum", "ostre-toten"]
    assert not kb.skipped
    rule7 = next(r for r in kb.rules if r.municipality == "ostre-toten" and r.item == "7")
    assert rule7.text.startswith("Øvrige ansatte kan gi faktaopplysninger") and rule7.roles == ("employee",)
    rule6 = next(r for r in kb.rules if r.municipality == "ostre-toten" and r.item == "6")
    assert rule6.roles == ("unit_leader",)
    old = kb.documents["baerum/kommunikasjonsstrategi-2010-2013.txt"]
    assert old.superseded_by == "baerum/kommunikasjonsstrategi-2015.txt"
    modum_speakers = {role for r in kb.rules if r.municipality == "modum" and "uttaler seg" in r.text for role in r.roles}
    assert {"mayor", "chief_executive", "department_head", "unit_leader"} <= modum_speakers


def test_every_invisible_format_character_is_removed_from_a_line():
    import unicodedata

    from knowledge.cleaning import remove_format_characters

    format_characters = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert remove_format_characters("".join(format_characters)) == ""
    assert remove_format_characters("Kan jeg ut\u00adtale meg til pres\u200bsen?\u200f") == "Kan jeg uttale meg til pressen?"
    assert normalise_line("Ansatte kan ut\u00adtale seg\ufeff") == "Ansatte kan uttale seg"


def test_advice_in_the_imperative_is_a_rule_even_when_the_document_never_uses_the_infinitive():
    text = (
        "Sosiale medier\n\n"
        "Send kortfatta søknad til kommunedirektøren på e-post før kontoen opprettes. "
        "Presiser at du ytrar deg som privatperson og ikkje på vegner av kommunen. "
        "Plan og budsjett blir lagt fram i desember kvart år. "
        "Bevissthet om de ulike rollene til folkevalgte og ansatte i kommunen.\n"
    )
    passages = passages_of(text)
    vocabulary = frozenset(w.lower() for p in passages for w in p.text.split())
    rules = [r.text for p in passages for r in extract_rules(p, vocabulary)]
    assert any(r.startswith("Send kortfatta søknad") for r in rules)
    assert any(r.startswith("Presiser at du ytrar deg") for r in rules)
    assert not any(r.startswith("Plan og budsjett") for r in rules)  # a noun first, not an imperative
    assert not any(r.startswith("Bevissthet om") for r in rules)  # nor a derived noun ("-het")


def test_a_role_a_rule_is_sent_to_or_named_in_a_side_clause_is_not_whom_the_rule_is_for():
    # "Send … til kommunedirektøren" is for whoever reads it; a role in a clause before the cue
    # ("hvor rådmannen har satt …") is not the rule's subject either
    text = (
        "Er du leder?\n\n"
        "Send kortfatta søknad til kommunedirektøren på e-post med kopi til informasjonsavdelinga.\n\n"
        "Dialog\n\n"
        "Vær bevisst på skillet mellom administrativt og politisk nivå. "
        "Henvis kun til rådmannens innstilling i politiske saker som er under behandling. "
        "Ikke gi egne vurderinger i denne type saker. "
        "I krisesituasjoner hvor rådmannen har satt beredskapsledelse bør det vurderes om all kommunikasjon skal gå via beredskapsledelsen. "
        "Den som leder krisehåndteringen er ansvarlig for at informasjon blir gitt korrekt. "
        "Det er et mål at alle medarbeidere skal føle at de jobber i samme kommune. "
        "Som leder skal du kjenne kommunikasjonsstrategien.\n"
    )
    passages = passages_of(text)
    vocabulary = frozenset(w.lower().strip(".,") for p in passages for w in p.text.split()) | {"henvise", "sende"}
    roles = {r.text[:20]: r.roles for p in passages for r in extract_rules(p, vocabulary)}
    assert roles["Send kortfatta søkna"] == ("leader",)  # the section's reader, not the chief executive
    assert roles["Henvis kun til rådma"] == ()
    assert roles["Ikke gi egne vurderi"] == ()  # nor carried on from the sentence before
    assert roles["I krisesituasjoner h"] == ()
    assert roles["Den som leder kriseh"] == ()  # the one leading it, described (`Rule.holder`), not a role
    assert roles["Det er et mål at all"] == ("employee",)  # the subject of the clause's own "skal"
    assert roles["Som leder skal du kj"] == ("leader",)


def test_a_task_a_role_does_in_the_passive_is_a_rule_for_that_role():
    # "Who creates the official accounts?" is answered by "… opprettes av rådmannen", a sentence with no modal verb
    text = (
        "Sosiale medier\n\n"
        "Offisielle kontoer med navn Testby kommune opprettes av rådmannen. "
        "Virksomhetsleder er ansvarlig for driften av den enkelte konto. "
        "Planen oppdateres av og til etter behov.\n"
    )
    rules = {r.text[:20]: r for p in passages_of(text) for r in extract_rules(p)}
    assert (rules["Offisielle kontoer m"].modality, rules["Offisielle kontoer m"].roles) == ("responsible", ("chief_executive",))
    assert not any(t.startswith("Planen") for t in rules)  # a passive with no role after "av" is no rule


def test_an_endnote_is_a_section_of_its_own_not_part_of_the_last_section():
    # Bærum's strategy ends with its crisis section and then the endnote on freedom of expression;
    # a rule from the note must not be cited as a crisis rule
    text = (
        "Kommunens kriseinfo\n"
        "Egne planer med følgende informasjonsprinsipper:\n\n"
        "• Informasjon er et lederansvar.\n\n"
        "• Informasjon skal gis samordnet.\n\n\n"
        "i Note om ytringfrihet: Ytringsfriheten er nedfelt i Grunnloven. Arbeidsgiver kan imidlertid\n\n"
        "bestemme hvem som skal uttale seg på kommunens vegne.\n"
    )
    headings = [(b.level, b.text) for b in parse_blocks(clean_lines(text)) if b.kind == "heading"]
    assert headings[-1] == (1, "Note om ytringfrihet")
    rule = next(r for p in passages_of(text) for r in extract_rules(p) if r.text.startswith("Arbeidsgiver"))
    assert rule.section == "Note om ytringfrihet"


@pytest.mark.parametrize(
    "sentence, modality",
    [
        ("Om en bruker fritar kommunen fra taushetsplikten, bør saksbehandler eller leder likevel ikke kommentere saken i media.", "should_not"),
        ("Ledere bør ikke uttale seg om enkeltsaker.", "should_not"),
        ("Du bør informere om hva som ikke er bestemt ennå.", "should"),
    ],
)
def test_advice_against_is_read_as_such_however_far_the_not_stands_from_the_bør(sentence, modality):
    from knowledge.rules import modality_of

    assert modality_of(sentence)[0] == modality

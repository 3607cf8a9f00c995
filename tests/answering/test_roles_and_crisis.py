"""A leader checks who may say what; an admin switches a municipality into crisis mode."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from bot.admin.crisis import CrisisStateError, CrisisStore
from bot.store.database import Database
from bot.store.setup import open_store
from bot.answering.engine import AnswerEngine
from bot.answering.role_map import RoleMapError, build_role_map, crisis_rule
from index.embedder import HashingEmbedder
from index.store import load_index

runner = CliRunner()


# The roles each current strategy names, read off the documents by hand (Bærum's 2010–13 strategy
# is superseded and left out of the map).
ROLES_IN_THE_DOCUMENTS = {
    "ostre-toten": {"employee", "leader", "unit_leader", "department_head", "chief_executive", "mayor", "elected", "union_rep", "comms"},
    "modum": {"employee", "leader", "unit_leader", "department_head", "chief_executive", "mayor", "elected", "union_rep"},
    "baerum": {"employee", "leader", "unit_leader", "comms"},
    "asker": {"employee", "leader", "chief_executive", "mayor", "elected", "union_rep", "comms"},
}


@pytest.mark.parametrize("municipality", sorted(ROLES_IN_THE_DOCUMENTS))
def test_the_role_map_names_every_role_the_documents_mention(env, municipality):
    result = runner.invoke(app, ["roles", "--municipality", municipality, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert ROLES_IN_THE_DOCUMENTS[municipality] <= set(data["roles"])
    for topics in data["roles"].values():
        for rules in topics.values():
            for rule in rules:
                assert rule["text"] and rule["document"] and rule["modality"]


def test_ostre_toten_press_rules_by_role(built_index):
    role_map = build_role_map(load_index(built_index), "ostre-toten", topic="media")
    items = {role: {r.citation.item for r in cells.get("media", [])} for role, cells in role_map.cells.items()}
    assert "7" in items["employee"] and "6" in items["unit_leader"] and "10" in items["union_rep"]
    assert "3" in items["mayor"] and "4" in items["chief_executive"] and "5" in items["department_head"]


def test_one_role_side_by_side_across_municipalities(env):
    result = runner.invoke(app, ["roles", "--role", "union_rep", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_municipality = {m["municipality"]: m["roles"] for m in data["municipalities"]}
    assert set(by_municipality) == {"asker", "baerum", "modum", "ostre-toten"}
    assert "union_rep" in by_municipality["modum"] and "union_rep" in by_municipality["ostre-toten"]
    table = runner.invoke(app, ["roles", "--role", "union_rep"])
    assert "Modum" in table.output and "Østre" in table.output and "Tillitsvalgte" in table.output


def test_unknown_role_or_topic_lists_the_valid_ones(env, built_index):
    with pytest.raises(RoleMapError, match="Valid: media"):
        build_role_map(load_index(built_index), "modum", topic="weather")
    result = runner.invoke(app, ["roles", "-m", "atlantis"])
    assert result.exit_code == 2 and "Valid: asker, baerum, modum, ostre-toten" in result.output.replace("\n", "")


def test_each_municipality_has_its_own_crisis_rule(built_index):
    stored = load_index(built_index)
    assert "ordfører/kommunedirektør" in crisis_rule(stored, "ostre-toten").text
    assert "Den som leder krisehåndteringen" in crisis_rule(stored, "baerum").text
    assert "beredskapsplan" in crisis_rule(stored, "modum").text


def test_crisis_mode_changes_the_verdict_and_survives_a_restart(env, settings):
    result = runner.invoke(
        app,
        ["crisis", "on", "-m", "ostre-toten", "--message", "Brann ved Lena skole.", "--spokesperson", "Ordføreren", "--by", "admin"],
    )
    assert result.exit_code == 0, result.output
    settings = settings.model_copy(update={"data_dir": env / "data"})
    # a new process: a new store and engine read the same state from disk
    engine = AnswerEngine(settings, embedder=HashingEmbedder(), crisis=CrisisStore(open_store(settings)))
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    assert answer.crisis is not None and answer.crisis.spokesperson == "Ordføreren"
    assert answer.verdict.startswith("Kommunen er i krisemodus: Brann ved Lena skole.")
    assert not answer.verdict.startswith("Ja")
    assert "ordfører/kommunedirektør" in answer.crisis.rule.text
    assert answer.show_contact
    other = engine.ask("Kan jeg uttale meg til pressen?", municipality="modum", role="employee")
    assert other.crisis is None
    status = runner.invoke(app, ["crisis", "status"])
    assert "KRISEMODUS" in status.output and "admin" in status.output
    runner.invoke(app, ["crisis", "off", "-m", "ostre-toten", "--by", "admin"])
    assert engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten").crisis is None


def test_crisis_needs_a_known_municipality_and_action(env):
    assert runner.invoke(app, ["crisis", "on"]).exit_code == 2
    assert "use on, off or status" in runner.invoke(app, ["crisis", "maybe", "-m", "modum"]).output


def test_in_crisis_mode_every_front_end_leads_with_the_crisis_rule(settings, tmp_path):
    from bot.slack.blocks import answer_blocks
    from bot.teams.cards import answer_card

    store = CrisisStore(open_store(settings))
    store.switch_on("ostre-toten", "Brann ved Lena skole", "Ordføreren", by="admin")
    engine = AnswerEngine(settings, embedder=HashingEmbedder(), crisis=store)
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
    assert answer.verdict.startswith("Kommunen er i krisemodus: Brann ved Lena skole. Henvis media til Ordføreren.")
    crisis_json = answer.to_dict()["crisis"]
    assert "ordfører/kommunedirektør" in crisis_json["rule"]["text"] and crisis_json["rule"]["section"] == "Krisekommunikasjon"
    blocks, _ = answer_blocks(answer, "q-1")
    assert "ordfører/kommunedirektør" in json.dumps(blocks, ensure_ascii=False)
    assert "ordfører/kommunedirektør" in json.dumps(answer_card(answer, "q-1"), ensure_ascii=False)


def test_a_broken_crisis_file_from_an_earlier_version_is_reported_to_the_admin_not_taken_as_no_crisis(env):
    (env / "data").mkdir(exist_ok=True)
    (env / "data" / "crisis.json").write_text("{not json")
    result = runner.invoke(app, ["crisis", "status"])
    assert result.exit_code == 2 and "can't be read" in result.output and "Traceback" not in result.output


def test_crisis_mode_of_an_earlier_version_is_taken_into_the_database_once(env):
    (env / "data").mkdir(exist_ok=True)
    legacy = {"modum": {"on": True, "message": "Flom.", "spokesperson": "Ordføreren", "since": "2026-11-01T10:00:00+0100", "by": "ola"}}
    (env / "data" / "crisis.json").write_text(json.dumps(legacy))
    result = runner.invoke(app, ["crisis", "status"])
    assert result.exit_code == 0 and "modum: KRISEMODUS" in result.output and "Flom." in result.output
    assert (env / "data" / "crisis.json.imported").exists() and not (env / "data" / "crisis.json").exists()


def test_answers_go_on_when_the_crisis_state_cant_be_read_but_the_admin_is_told(settings):
    unreachable = Database("postgresql+psycopg://veileder@127.0.0.1:9/nowhere?connect_timeout=1")
    engine = AnswerEngine(settings, embedder=HashingEmbedder(), crisis=CrisisStore(unreachable))
    assert engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten").answered  # answers go on
    with pytest.raises(CrisisStateError, match="can't be read"):
        CrisisStore(unreachable).status()


def test_every_switch_is_kept_in_the_crisis_history(settings):
    store = CrisisStore(open_store(settings))
    store.switch_on("modum", "Flom i Vikersund.", "Ordføreren", by="kari")
    store.switch_off("modum", by="ola")
    history = store.history("modum")
    assert [(h["on"], h["by"]) for h in history] == [(False, "ola"), (True, "kari")]
    assert history[1]["message"] == "Flom i Vikersund." and history[1]["spokesperson"] == "Ordføreren" and history[1]["at"]


def _words(text: str) -> str:
    """Text with the terminal's wrapping and box drawing taken out: one space between words."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("municipality", sorted(ROLES_IN_THE_DOCUMENTS))
def test_a_leader_reads_the_role_map_at_80_columns_with_every_rule_in_full(env, monkeypatch, municipality):
    from bot.cli.common import out

    monkeypatch.setattr(out, "_width", 80)
    result = runner.invoke(app, ["roles", "-m", municipality])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    data = json.loads(runner.invoke(app, ["roles", "-m", municipality, "--json"]).stdout)
    shown = _words(result.stdout)
    for role, topics in data["roles"].items():
        for rules in topics.values():
            for rule in rules:
                assert f"«{_words(rule['text'])}»" in shown  # quoted whole, never cut or squeezed
    # one block per role, labelled in Norwegian
    assert "Ansatte" in lines and "responsible" not in shown and " must " not in shown
    assert any(label in shown for label in ("har ansvaret ·", "skal ·", "kan ·"))


def test_the_role_map_speaks_the_askers_language(env, monkeypatch):
    from bot.cli.common import out

    monkeypatch.setattr(out, "_width", 80)
    english = runner.invoke(app, ["roles", "-m", "ostre-toten", "--language", "en"])
    assert english.exit_code == 0, english.output
    assert "Who may say what – Østre Toten" in english.stdout and "Media and press" in english.stdout
    assert "Employees" in english.stdout or "Staff" in english.stdout
    nynorsk = runner.invoke(app, ["roles", "-m", "ostre-toten", "-l", "nn"])
    assert "skal ikkje ·" in nynorsk.stdout or "bør ikkje ·" in nynorsk.stdout or "har ansvaret ·" in nynorsk.stdout
    assert runner.invoke(app, ["roles", "-m", "modum", "-l", "sv"]).exit_code == 2


def test_one_role_across_municipalities_is_a_block_per_municipality(env, monkeypatch):
    from bot.cli.common import out

    monkeypatch.setattr(out, "_width", 80)
    result = runner.invoke(app, ["roles", "--role", "union_rep"])
    assert result.exit_code == 0, result.output
    assert "Tillitsvalgte og verneombud – på tvers av kommunene" in _words(result.stdout)
    lines = result.stdout.splitlines()
    assert "Modum kommune" in lines and "Østre Toten kommune" in lines
    assert max(len(line.rstrip()) for line in lines) <= 80


def test_an_admin_checks_one_municipalitys_crisis_state(env):
    status = runner.invoke(app, ["crisis", "status", "-m", "modum"])
    assert status.exit_code == 0, status.output
    assert "modum: normal" in status.output and "Ingen kommune" not in status.output
    runner.invoke(app, ["crisis", "on", "-m", "modum", "--message", "Flom i Vikersund.", "--by", "admin"])
    status = runner.invoke(app, ["crisis", "status", "-m", "modum"])
    assert "modum: KRISEMODUS" in status.output and "Flom i Vikersund." in status.output
    assert "ostre-toten" not in status.output
    runner.invoke(app, ["crisis", "off", "-m", "modum", "--by", "admin"])
    assert "modum: normal (krisemodus av" in runner.invoke(app, ["crisis", "status", "-m", "Modum"]).output
    unknown = runner.invoke(app, ["crisis", "status", "-m", "atlantis"])
    assert unknown.exit_code == 2 and "valid: asker, baerum, modum, ostre-toten" in unknown.output.replace("\n", "")

"""A staff member follows a citation: a rule from a PDF says which page it is on, and a document
with a web address (SharePoint, intranet) is a link in Slack and Teams."""
from __future__ import annotations

import json
from pathlib import Path

from bot.answering.engine import AnswerEngine
from bot.slack.blocks import answer_blocks
from bot.teams.cards import answer_card
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import load_knowledge
from knowledge.sources import record_web_urls
from tests.conftest import hashing_settings
from tests.documents import PRESS_RULES

URL = "https://kommune.sharepoint.com/sites/kommunikasjon/Delte%20dokumenter/Kj%C3%B8reregler.pdf"


def _pdf_with_the_rules_on_page_2(path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    canvas.setFont("Helvetica", 11)
    canvas.drawString(60, 780, "Kommunikasjonsstrategi for Testby kommune")
    canvas.drawString(60, 760, "Kommunen skal kommunisere åpent, aktivt og planlagt med innbyggerne.")
    canvas.showPage()
    y = 780
    for line in PRESS_RULES.strip().splitlines()[:-1]:
        canvas.setFont("Helvetica", 11)
        canvas.drawString(60, y, line)
        y -= 15
    canvas.showPage()
    canvas.save()


def _answer(tmp_path: Path):
    folder = tmp_path / "docs" / "testby"
    folder.mkdir(parents=True)
    _pdf_with_the_rules_on_page_2(folder / "Kjøreregler.pdf")
    record_web_urls(folder, {"Kjøreregler.pdf": URL})  # as the SharePoint mirror leaves it
    settings = hashing_settings(tmp_path)
    build_index(load_knowledge(tmp_path / "docs"), HashingEmbedder(), settings.resolved_index_dir())
    engine = AnswerEngine(settings, embedder=HashingEmbedder())
    return engine.ask("Kan jeg uttale meg til pressen?", municipality="testby", role="employee")


def test_a_rule_from_a_pdf_is_cited_with_its_page_and_web_address(tmp_path):
    answer = _answer(tmp_path)
    assert answer.rule is not None and answer.rule.text.startswith("Øvrige ansatte kan gi faktaopplysninger")
    assert answer.rule.citation.page == 2 and answer.rule.citation.label().endswith("punkt 3 › s. 2")
    assert answer.rule.citation.url == URL
    data = answer.to_dict()
    assert (data["rule"]["page"], data["rule"]["url"]) == (2, URL)


def test_slack_and_teams_render_the_citation_as_a_link(tmp_path):
    answer = _answer(tmp_path)
    slack = json.dumps(answer_blocks(answer, "q1"), ensure_ascii=False)
    assert f"<{URL}|" in slack and "s. 2" in slack
    teams = json.dumps(answer_card(answer, "q1"), ensure_ascii=False)
    assert f"]({URL})" in teams

"""An admin's folder holds a hostile PDF beside good files: each file is read in a worker process
within time and memory limits, the bad ones are named with the reason, the good ones answer, and a
bad version is not read again on every scheduled sync."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from knowledge.isolation import LimitExceeded, ReadLimits, extract_isolated
from knowledge.library import load_knowledge
from knowledge.unreadable import UNREADABLE_MEMO
from tests.documents import PRESS_RULES
from tests.knowledge.hostile import decompression_bomb_pdf, self_referencing_xobject_pdf

runner = CliRunner()
SMALL = ReadLimits(seconds=30, memory_bytes=512 * 1024 * 1024)


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    """Two good files (text and Word) and two hostile PDFs in one municipality's folder."""
    import docx

    folder = tmp_path / "docs" / "testby"
    folder.mkdir(parents=True)
    (folder / "presse.txt").write_text(PRESS_RULES, encoding="utf-8")
    document = docx.Document()
    document.add_heading("Sosiale medier", level=1)
    document.add_paragraph("Ansatte som deler bilder fra arbeidsplassen må ha samtykke fra alle som er med på bildet.")
    document.save(str(folder / "sosiale-medier.docx"))
    decompression_bomb_pdf(folder / "bombe.pdf")
    self_referencing_xobject_pdf(folder / "sirkel.pdf")
    return tmp_path / "docs"


def test_index_names_the_hostile_files_and_the_good_files_answer(hostile_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("VEILEDER_MODEL", "hashing")
    monkeypatch.setenv("VEILEDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VEILEDER_DOCUMENTS_DIR", str(hostile_folder))
    monkeypatch.setenv("VEILEDER_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("VEILEDER_READ_MEMORY_MB", "512")
    monkeypatch.setenv("VEILEDER_READ_TIMEOUT_SECONDS", "60")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(app, ["index"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "2 documents" in output and "formats: 1 .docx, 1 .txt" in output
    for name in ("bombe.pdf", "sirkel.pdf"):
        assert f"skipped testby/{name}: the reader stopped" in output and "512 MB memory limit" in output

    answer = runner.invoke(app, ["ask", "Kan jeg uttale meg til pressen?", "-m", "testby", "--role", "employee"])
    assert answer.exit_code == 0 and "Øvrige ansatte kan gi faktaopplysninger" in answer.output
    photos = runner.invoke(app, ["ask", "Kan jeg legge ut bilder fra jobben?", "-m", "testby"])
    assert "samtykke" in photos.output

    again = runner.invoke(app, ["index"])  # the next scheduled run: the bad versions are not read again
    assert again.exit_code == 0 and " ".join(again.output.split()).count("not retried until the file changes") == 2


def test_a_bad_version_is_remembered_until_the_file_changes(hostile_folder, tmp_path):
    state = tmp_path / "state"
    first = load_knowledge(hostile_folder, SMALL, state)
    assert {s.path for s in first.skipped} == {"testby/bombe.pdf", "testby/sirkel.pdf"}
    assert (state / UNREADABLE_MEMO).exists()
    second = load_knowledge(hostile_folder, SMALL, state)
    assert all("not retried" in s.reason for s in second.skipped) and len(second.documents) == 2

    (hostile_folder / "testby" / "bombe.pdf").unlink()
    from tests.documents import write_pdf

    write_pdf(hostile_folder / "testby" / "bombe.pdf", ["Personalsaker skal ikke kommenteres i media."])
    third = load_knowledge(hostile_folder, SMALL, state)
    assert "testby/bombe.pdf" in third.documents
    raised = load_knowledge(hostile_folder, ReadLimits(30, 640 * 1024 * 1024), state)  # new limits: tried again
    assert "not retried" not in next(s.reason for s in raised.skipped if s.path == "testby/sirkel.pdf")


def test_a_file_that_takes_longer_than_the_time_limit_is_stopped(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "årsrapport.pdf"
    canvas = Canvas(str(path))
    for page in range(1500):
        canvas.drawString(60, 780, f"Side {page}: kommunens kommunikasjon med innbyggerne skal være åpen.")
        canvas.showPage()
    canvas.save()
    with pytest.raises(LimitExceeded, match="reading took longer than the 0.05 s limit"):
        extract_isolated(path, ReadLimits(seconds=0.05), name="testby/årsrapport.pdf")


def test_a_document_whose_new_version_is_hostile_keeps_the_version_already_indexed(tmp_path):
    from bot.answering.engine import AnswerEngine
    from index.builder import build_index
    from index.embedder import HashingEmbedder
    from tests.conftest import hashing_settings

    folder = tmp_path / "docs" / "testby"
    folder.mkdir(parents=True)
    (folder / "presse.txt").write_text("Kontakt med media\n\nAlle henvendelser fra journalister går til pressevakten.\n", encoding="utf-8")
    from tests.documents import write_pdf

    write_pdf(folder / "regler.pdf", ["Kjøreregler", "", "Personalsaker skal ikke kommenteres i media."])
    settings = hashing_settings(tmp_path)
    build_index(load_knowledge(tmp_path / "docs", SMALL), HashingEmbedder(), settings.resolved_index_dir())

    decompression_bomb_pdf(folder / "regler.pdf")  # a new version that is a decompression bomb
    report = build_index(load_knowledge(tmp_path / "docs", SMALL), HashingEmbedder(), settings.resolved_index_dir())

    (skipped,) = report.skipped
    assert skipped.path == "testby/regler.pdf" and "memory limit" in skipped.reason and skipped.reason.endswith("(the version already indexed is kept)")
    assert report.up_to_date and report.documents == 2
    answer = AnswerEngine(settings, embedder=HashingEmbedder()).ask("Kan jeg kommentere personalsaker i media?", municipality="testby")
    assert any("Personalsaker skal ikke kommenteres" in p.text for p in answer.passages)

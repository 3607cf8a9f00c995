"""Admins keep the knowledge base current from SharePoint while the bot keeps serving.

A local stand-in for Microsoft Graph (tests/graph_standin.py) is read by the real msgraph-sdk
client: delta pages, a download redirect, throttling, an expired delta link, a failing download.
What is checked is what matters to staff and admins: what the index holds afterwards, that a
failed run changes nothing that serves, and that the next run finishes the job.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from pathlib import Path

import pytest
from aiohttp import web
from typer.testing import CliRunner

from bot.cli.app import app
from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.answering.engine import AnswerEngine
from bot.services import BotServices
from bot.admin.question_log import QuestionLog
from bot.admin.sync.runner import SyncError, read_state, run_sync
from bot.admin.sync.schedule import SyncSchedule
from index.builder import build_index
from index.embedder import HashingEmbedder
from index.store import build_lock, current_generation, load_index
from knowledge.library import load_knowledge
from tests.conftest import hashing_settings
from tests.documents import PRESS_RULES, small_library, write_docx, write_pdf
from tests.standins.graph_standin import DRIVE_ID, IDENTITY_HEADER, SITE_ID, FakeSharePoint
from tests.standins.teams_standin import LocalCredential, LocalServer

FOLDER = "Kommunikasjon"
PRESS_V1 = "Pressekontakt\n\nAlle henvendelser fra journalister skal videresendes til pressevakten.\n"
PRESS_V2 = "Pressekontakt\n\nAlle henvendelser fra journalister skal videresendes til kommunikasjonsdirektøren på vakttelefonen.\n"
SOCIAL = "# Sosiale medier\n\nAnsatte som deler bilder fra arbeidsplassen skal ha samtykke fra alle som vises.\n"
NEW_ROUTINE = "Ny rutine\n\nInnbyggerdialog i kommunens kanaler besvares innen to virkedager.\n"


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def library():
    with FakeSharePoint(page_size=3) as fake:
        yield fake


@pytest.fixture
def docs(tmp_path) -> Path:
    return small_library(tmp_path / "docs")


@pytest.fixture
def settings(tmp_path, docs, library):
    return hashing_settings(
        tmp_path,
        documents_dir=docs,
        graph_api_url=library.graph_url,
        sharepoint_sources=[{"municipality": "testby", "site_id": SITE_ID, "folder": FOLDER}],
    )


def sync(settings, **options):
    return run_sync(settings, credential=LocalCredential(), **options)


def fill(library: FakeSharePoint, tmp: Path) -> None:
    """The municipality's library: four documents in the synced folder, a spreadsheet, and a folder not synced."""
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    library.put(f"{FOLDER}/Sosiale medier.md", SOCIAL.encode())
    library.put(f"{FOLDER}/Krise/Kriseplan.docx", docx_bytes(tmp))
    library.put(f"{FOLDER}/Intranett.pdf", pdf_bytes(tmp))
    library.put(f"{FOLDER}/Budsjett 2025.xlsx", b"PK\x03\x04 not a document")
    library.put("Økonomi/Regnskap.txt", "Regnskap\n\nRegnskapet for 2024 viser et overskudd.\n".encode())


def docx_bytes(tmp: Path) -> bytes:
    return write_docx(tmp / "kriseplan.docx", "Kriseplan", ["Ved en krise leder beredskapsrådet informasjonsarbeidet."], ["Kriseledelsen møtes innen én time."]).read_bytes()


def pdf_bytes(tmp: Path) -> bytes:
    return write_pdf(tmp / "intranett.pdf", ["Intranett", "", "Intranettet er hovedkanalen for informasjon til ansatte."]).read_bytes()


def indexed(settings) -> dict[str, str]:
    """Document id → all its passage text, in the index that serves."""
    stored = load_index(settings.resolved_index_dir())
    texts: dict[str, str] = {}
    for passage in stored.passages:
        texts[passage.document_id] = texts.get(passage.document_id, "") + "\n" + passage.text
    return texts


def sharepoint_docs(settings) -> dict[str, str]:
    prefix = "testby/sharepoint/"
    return {k[len(prefix):]: v for k, v in indexed(settings).items() if k.startswith(prefix)}


def source_state(settings) -> dict:
    (entry,) = read_state(settings).values()
    return entry


# -- sync ---------------------------------------------------------------------------------------


def test_an_admin_syncs_a_sharepoint_folder_for_the_first_time(library, settings, tmp_path):
    fill(library, tmp_path)

    summary = sync(settings)

    assert summary.ok, summary.error
    (source,) = summary.sources
    assert source.full
    assert sorted(source.added) == ["Intranett.pdf", "Krise/Kriseplan.docx", "Pressekontakt.txt", "Sosiale medier.md"]
    assert [(s.path, s.reason.split(";")[0]) for s in source.skipped] == [
        ("testby/sharepoint/Budsjett 2025.xlsx", "format '.xlsx' is not read")
    ]
    documents = sharepoint_docs(settings)
    assert sorted(documents) == sorted(source.added)
    assert "pressevakten" in documents["Pressekontakt.txt"]
    assert "beredskapsrådet" in documents["Krise/Kriseplan.docx"]
    assert "hovedkanalen for informasjon til ansatte" in documents["Intranett.pdf"]
    assert "testby/presseregler.txt" in indexed(settings)  # the local documents are still there
    assert not any("Regnskap" in doc for doc in indexed(settings))  # outside the synced folder

    # The site resolved to its document library; delta came in pages (nextLink), then a deltaLink.
    graph = [r.path for r in library.requests if r.host == "graph"]
    assert graph[0].endswith("/drive") and "/sites/" in graph[0]
    deltas = library.delta_requests()
    assert deltas[0].path.endswith("/items/root/delta()") and all("skip=" in r.path for r in deltas[1:])
    assert len(deltas) == 4  # 12 items (root and folders included), 3 a page
    # Each download was redirected to SharePoint's download host, which got no Graph token.
    assert len(library.downloads()) == 4 and all(r.authorization is None for r in library.downloads())

    state = source_state(settings)
    assert state["ok"] is True and state["error"] is None and state["last_run"]
    assert state["delta_link"].endswith("/root/delta?token=" + state["delta_link"].rsplit("=", 1)[1])
    assert state["summary"]["added"] == 4 and state["summary"]["removed"] == 0
    assert state["summary"]["skipped"][0]["path"] == "testby/sharepoint/Budsjett 2025.xlsx"
    assert {e.get("path") for e in state["items"].values()} >= {"Pressekontakt.txt", "Krise/Kriseplan.docx"}


def test_changes_deletions_and_renames_reach_the_index_with_the_next_sync(library, settings, tmp_path):
    fill(library, tmp_path)
    assert sync(settings).ok
    engine = AnswerEngine(settings, embedder=HashingEmbedder())
    before = engine.ask("Hvem skal journalister henvende seg til?", municipality="testby")
    assert any("pressevakten" in p.text for p in before.passages)
    first_link = source_state(settings)["delta_link"]
    library.forget_requests()

    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V2.encode())  # a new version
    library.delete(f"{FOLDER}/Sosiale medier.md")
    library.rename(f"{FOLDER}/Intranett.pdf", "Internkommunikasjon.pdf")
    library.rename(f"{FOLDER}/Krise", "Beredskap")  # SharePoint reports only the folder
    library.put(f"{FOLDER}/Nytt/Ny rutine.txt", NEW_ROUTINE.encode())
    summary = sync(settings)

    assert summary.ok, summary.error
    (source,) = summary.sources
    assert not source.full
    assert source.added == ["Nytt/Ny rutine.txt"]
    assert sorted(source.changed) == ["Beredskap/Kriseplan.docx", "Internkommunikasjon.pdf", "Pressekontakt.txt"]
    assert source.removed == ["Sosiale medier.md"]
    assert library.delta_requests()[0].path == first_link.split(library.graph_url, 1)[1]  # continued from the stored deltaLink
    assert len(library.downloads()) == 2  # renamed files are moved, not downloaded again

    documents = sharepoint_docs(settings)
    assert sorted(documents) == ["Beredskap/Kriseplan.docx", "Internkommunikasjon.pdf", "Nytt/Ny rutine.txt", "Pressekontakt.txt"]
    assert "vakttelefonen" in documents["Pressekontakt.txt"] and "pressevakten" not in documents["Pressekontakt.txt"]
    assert source_state(settings)["delta_link"] != first_link
    after = engine.ask("Hvem skal journalister henvende seg til?", municipality="testby")
    assert any("vakttelefonen" in p.text for p in after.passages)  # the running engine picked up the new index


def test_throttling_is_waited_out_as_retry_after_asks(library, settings):
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    library.throttle(times=1, retry_after=1)

    started = time.monotonic()
    summary = sync(settings)

    assert summary.ok, summary.error
    assert time.monotonic() - started >= 1.0
    first, again = library.delta_requests()[:2]
    assert first.path == again.path  # the same request, repeated after Retry-After
    assert "pressevakten" in sharepoint_docs(settings)["Pressekontakt.txt"]


def test_an_expired_delta_link_starts_a_full_sync_that_also_catches_missed_deletions(library, settings, tmp_path):
    fill(library, tmp_path)
    assert sync(settings).ok
    library.forget_requests()
    library.expire_delta_links()
    library.delete(f"{FOLDER}/Sosiale medier.md")
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V2.encode())

    summary = sync(settings)

    assert summary.ok, summary.error
    (source,) = summary.sources
    assert source.full and source.removed == ["Sosiale medier.md"] and source.changed == ["Pressekontakt.txt"]
    deltas = library.delta_requests()
    assert "token=" in deltas[0].path and deltas[1].path.endswith("/items/root/delta()")  # 410, then from scratch
    assert len(library.downloads()) == 1  # unchanged files are not downloaded again
    documents = sharepoint_docs(settings)
    assert "Sosiale medier.md" not in documents and "vakttelefonen" in documents["Pressekontakt.txt"]


def test_a_failing_download_leaves_the_index_and_the_delta_link_as_they_were(library, settings, docs, tmp_path):
    fill(library, tmp_path)
    assert sync(settings).ok
    before = source_state(settings)
    serving = current_generation(settings.resolved_index_dir())
    library.put(f"{FOLDER}/Nytt/Ny rutine.txt", NEW_ROUTINE.encode())
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V2.encode())
    library.fail_download(f"{FOLDER}/Pressekontakt.txt")

    failed = sync(settings)

    assert not failed.ok
    assert "500" in failed.error and "Pressekontakt.txt" in failed.error and "index in use is unchanged" in failed.error
    after = source_state(settings)
    assert after["delta_link"] == before["delta_link"] and after["items"] == before["items"]
    assert after["ok"] is False and "500" in after["error"]
    assert current_generation(settings.resolved_index_dir()) == serving
    assert "pressevakten" in sharepoint_docs(settings)["Pressekontakt.txt"]
    mirror = docs / "testby" / "sharepoint"
    assert (mirror / "Pressekontakt.txt").read_text(encoding="utf-8") == PRESS_V1 and not (mirror / "Nytt").exists()

    library.heal()
    finished = sync(settings)

    assert finished.ok, finished.error
    documents = sharepoint_docs(settings)
    assert "vakttelefonen" in documents["Pressekontakt.txt"] and "Nytt/Ny rutine.txt" in documents
    assert source_state(settings)["delta_link"] != before["delta_link"] and source_state(settings)["ok"] is True


def test_a_corrupt_new_version_is_reported_and_the_one_already_indexed_is_kept(library, settings, tmp_path):
    fill(library, tmp_path)
    assert sync(settings).ok
    library.put(f"{FOLDER}/Intranett.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\ntruncated")

    summary = sync(settings)

    assert summary.ok, summary.error
    (skipped,) = [s for s in summary.sources[0].skipped if s.path.endswith("Intranett.pdf")]
    assert "corrupt" in skipped.reason and "kept" in skipped.reason
    assert "hovedkanalen for informasjon til ansatte" in sharepoint_docs(settings)["Intranett.pdf"]


def test_when_the_index_cannot_be_built_the_delta_link_stays_and_the_next_run_finishes(library, settings, tmp_path):
    fill(library, tmp_path)
    assert sync(settings).ok
    link = source_state(settings)["delta_link"]
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V2.encode())

    with build_lock(settings.resolved_index_dir()):  # someone runs `veileder index` at the same moment
        failed = sync(settings)

    assert not failed.ok and "another build is running" in failed.error
    assert source_state(settings)["delta_link"] == link and source_state(settings)["ok"] is False
    assert "pressevakten" in sharepoint_docs(settings)["Pressekontakt.txt"]

    finished = sync(settings)

    assert finished.ok, finished.error
    assert finished.sources[0].changed == ["Pressekontakt.txt"]  # the same change, applied again
    assert "vakttelefonen" in sharepoint_docs(settings)["Pressekontakt.txt"]
    assert source_state(settings)["delta_link"] != link


def test_a_municipality_with_two_libraries_gets_a_folder_for_each(library, tmp_path, docs):
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    library.put("Retningslinjer/Sosiale medier.md", SOCIAL.encode())
    sources = [
        {"municipality": "testby", "drive_id": DRIVE_ID, "folder": FOLDER},
        {"municipality": "testby", "drive_id": DRIVE_ID, "folder": "Retningslinjer"},
    ]
    settings = hashing_settings(tmp_path, documents_dir=docs, graph_api_url=library.graph_url, sharepoint_sources=sources)

    assert sync(settings).ok
    library.delete(f"{FOLDER}/Pressekontakt.txt")
    assert sync(settings).ok  # one source's clean-up leaves the other's files alone

    assert sorted(sharepoint_docs(settings)) == ["retningslinjer/Sosiale medier.md"]
    assert not any("/sites/" in r.path for r in library.requests)  # a drive id needs no site lookup


def test_a_source_without_site_or_drive_is_refused_with_a_clear_message(tmp_path, docs):
    settings = hashing_settings(tmp_path, documents_dir=docs, sharepoint_sources=[{"municipality": "testby", "folder": FOLDER}])
    with pytest.raises(SyncError, match="exactly one of site_id or drive_id"):
        run_sync(settings)


# -- hot swap -------------------------------------------------------------------------------------


def wait_for(condition, limit: float = 20.0) -> None:
    """Until the condition holds (bounded, so a slow machine waits longer rather than failing)."""
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_questions_asked_while_a_new_index_swaps_in_are_all_answered_then_from_the_new_index(tmp_path, caplog):
    docs = small_library(tmp_path / "docs")
    settings = hashing_settings(tmp_path, documents_dir=docs)
    embedder = HashingEmbedder()
    built = [build_index(load_knowledge(docs), embedder, settings.resolved_index_dir()).generation]
    engine = AnswerEngine(settings, embedder=embedder)
    old_rule = "Politiske kommentarer og\nvurderinger skal gis av ordfører."
    new_rule = "Politiske kommentarer og\nvurderinger skal gis av gruppelederne i kommunestyret."
    assert old_rule in PRESS_RULES
    question = "Hvem gir politiske kommentarer til media?"
    answers: list[tuple[float, bool]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_again_and_again() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = engine.ask(question, municipality="testby")
            except BaseException as exc:  # noqa: BLE001 - the test counts every failure
                errors.append(exc)
                continue
            answers.append((started, any("gruppelederne" in p.text for p in answer.passages)))

    askers = [threading.Thread(target=ask_again_and_again) for _ in range(8)]
    with caplog.at_level(logging.INFO, logger="index.generations"):
        for asker in askers:
            asker.start()
        wait_for(lambda: len(answers) >= 10)
        swap_started = time.monotonic()
        for text in (new_rule, old_rule, new_rule, old_rule, new_rule):  # swaps in a row; old generations are removed as they go
            (docs / "testby" / "presseregler.txt").write_text(PRESS_RULES.replace(old_rule, text), encoding="utf-8")
            built.append(build_index(load_knowledge(docs), embedder, settings.resolved_index_dir()).generation)
        swapped = time.monotonic()
        wait_for(lambda: sum(1 for started, _ in list(answers) if started > swapped) >= 10)
        stop.set()
        for asker in askers:
            asker.join(10)

    assert errors == []
    before = [new for started, new in answers if started < swap_started]
    after = [new for started, new in answers if started > swapped]
    assert before and not any(before)
    assert after and all(after)
    # The engine only ever moves forward: each generation is loaded at most once, in the order built,
    # and none it tried to load had been removed under it.
    served = [r.getMessage().rsplit(" ", 1)[1] for r in caplog.records if r.getMessage().startswith("serving index")]
    assert served == [g for g in built if g in served] and served[-1] == built[-1]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_each_swap_keeps_the_generation_that_served_just_before_it(tmp_path):
    docs = small_library(tmp_path / "docs")
    index_dir = tmp_path / "index"
    built = []
    for n in range(5):  # several builds within one second
        (docs / "testby" / "nytt.txt").write_text(f"Nytt\n\nRevisjon nummer {n} av rutinen for innbyggerdialog.\n", encoding="utf-8")
        built.append(build_index(load_knowledge(docs), HashingEmbedder(), index_dir).generation)
        assert sorted(p.name for p in index_dir.glob("gen-*")) == sorted(built[-2:])


# -- the command line ---------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, tmp_path, library):
    """`veileder` configured as an admin would: env vars, a managed identity for Graph, no .env."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "VEILEDER_MODEL": "hashing",
        "VEILEDER_DATA_DIR": str(tmp_path / "data"),
        "VEILEDER_INDEX_DIR": str(tmp_path / "index"),
        "GRAPH_API_URL": library.graph_url,
        "VEILEDER_SHAREPOINT_SOURCES": json.dumps([{"municipality": "baerum", "site_id": SITE_ID, "folder": FOLDER}]),
        "IDENTITY_ENDPOINT": f"{library.graph_url}/msi/token",
        "IDENTITY_HEADER": IDENTITY_HEADER,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("VEILEDER_DOCUMENTS_DIR", "GRAPH_CLIENT_SECRET", "GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "MSI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_veileder_sync_prints_a_summary_and_builds_where_the_bot_reads(cli_env, library):
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    library.put(f"{FOLDER}/Budsjett 2025.xlsx", b"PK\x03\x04")

    result = runner.invoke(app, ["sync"])

    assert result.exit_code == 0, result.output
    seeded = cli_env / "data" / "documents"
    assert "1 added, 0 changed, 0 removed, 1 skipped" in result.output
    assert "skipped baerum/sharepoint/Budsjett 2025.xlsx: format '.xlsx' is not read" in result.output
    assert f"Documents folder: {seeded}" in result.output.replace("\n", "") and "a copy of the bundled documents" in result.output
    assert (seeded / "baerum" / "kommunikasjonsstrategi-2015.txt").is_file()  # seeded once from the bundle
    assert any(r.host == "identity" for r in library.requests)  # the token came from the managed identity
    # `veileder index` builds from the same folder: nothing to do.
    again = runner.invoke(app, ["index"])
    assert again.exit_code == 0 and "up to date" in again.output
    answer = runner.invoke(app, ["ask", "Hvem skal journalister henvende seg til?", "-m", "baerum", "--json"])
    assert "pressevakten" in answer.stdout


def test_veileder_sync_failing_is_one_line_and_exit_code_2(cli_env, library):
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    library.fail_download(f"{FOLDER}/Pressekontakt.txt")

    result = runner.invoke(app, ["sync", "--municipality", "baerum"])

    assert result.exit_code == 2
    assert "Error: sync failed" in result.output and "500" in result.output and "Traceback" not in result.output


def test_veileder_sync_with_a_bad_source_is_one_friendly_line(cli_env, monkeypatch):
    monkeypatch.setenv("VEILEDER_SHAREPOINT_SOURCES", json.dumps([{"municipality": "baerum", "site_id": "x", "drive_id": "y"}]))
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 2 and "exactly one of site_id or drive_id" in result.output


# -- in `veileder serve` ------------------------------------------------------------------------


async def start_bot(settings) -> tuple[LocalServer, BotServices]:
    engine = AnswerEngine(settings, embedder=HashingEmbedder())
    schedule = SyncSchedule(settings, open_store(settings), engine.embedder)
    services = BotServices(settings, engine, QuestionLog.open(settings), CrisisStore(open_store(settings)), reindex=schedule.reindex)
    web_app = web.Application()
    web_app.cleanup_ctx.append(schedule.running)
    server = LocalServer(web_app)
    await server.start()
    return server, services


async def test_serve_syncs_on_its_schedule_and_the_admin_reindex_runs_the_sync(library, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{library.graph_url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V1.encode())
    settings = settings.model_copy(update={"sync_interval_minutes": 60})
    build_index(load_knowledge(settings.setup_documents_dir()), HashingEmbedder(), settings.resolved_index_dir())

    server, services = await start_bot(settings)
    try:
        for _ in range(100):  # the first scheduled run starts with the server
            if read_state(settings):
                break
            await asyncio.sleep(0.1)
        assert source_state(settings)["ok"] is True
        assert any("pressevakten" in p.text for p in (await services.ask("Hvem skal journalister henvende seg til?", municipality="testby")).passages)

        library.put(f"{FOLDER}/Pressekontakt.txt", PRESS_V2.encode())
        reply = await services.reindex("testby")

        assert "0 added, 1 changed, 0 removed" in reply
        answer = await services.ask("Hvem skal journalister henvende seg til?", municipality="testby")
        assert any("vakttelefonen" in p.text for p in answer.passages)
    finally:
        await server.stop()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "veileder-sync"]  # the schedule stopped with the server


async def test_without_sources_the_admin_reindex_rebuilds_from_the_documents_folder(tmp_path, docs):
    settings = hashing_settings(tmp_path, documents_dir=docs)
    build_index(load_knowledge(docs), HashingEmbedder(), settings.resolved_index_dir())
    server, services = await start_bot(settings)
    try:
        (docs / "testby" / "ny-rutine.txt").write_text(NEW_ROUTINE, encoding="utf-8")
        reply = await services.reindex(None)
        assert "No SharePoint sources are configured" in reply and "5 documents" in reply
        answer = await services.ask("Hvor raskt svarer kommunen innbyggerne?", municipality="testby")
        assert any("to virkedager" in p.text for p in answer.passages)
    finally:
        await server.stop()

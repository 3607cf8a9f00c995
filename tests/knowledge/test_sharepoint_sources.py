"""An admin keeps documents in SharePoint: staff's citations link to the document there, and a
hostile file in the library is named once and not fetched and read again on the next sync."""
from __future__ import annotations

from bot.answering.engine import AnswerEngine
from bot.admin.sync.runner import run_sync
from index.embedder import HashingEmbedder
from tests.conftest import hashing_settings
from tests.documents import small_library
from tests.standins.graph_standin import SITE_ID, FakeSharePoint
from tests.knowledge.hostile import decompression_bomb_pdf
from tests.standins.teams_standin import LocalCredential

FOLDER = "Kommunikasjon"
PRESS = "Pressekontakt\n\nAlle henvendelser fra journalister skal videresendes til pressevakten.\n"


def test_a_sharepoint_document_is_cited_with_its_web_address_and_a_bomb_is_not_read_twice(tmp_path):
    with FakeSharePoint(page_size=3) as library:
        settings = hashing_settings(
            tmp_path,
            documents_dir=small_library(tmp_path / "docs"),
            graph_api_url=library.graph_url,
            sharepoint_sources=[{"municipality": "testby", "site_id": SITE_ID, "folder": FOLDER}],
            read_memory_mb=512,
        )
        library.put(f"{FOLDER}/Pressekontakt.txt", PRESS.encode())
        library.put(f"{FOLDER}/Bombe.pdf", decompression_bomb_pdf(tmp_path / "bombe.pdf").read_bytes())

        first = run_sync(settings, credential=LocalCredential())
        assert first.ok, first.error
        (bomb,) = [s for s in first.sources[0].skipped if s.path.endswith("Bombe.pdf")]
        assert "512 MB memory limit" in bomb.reason

        answer = AnswerEngine(settings, embedder=HashingEmbedder()).ask(
            "Hvor sender jeg henvendelser fra journalister?", municipality="testby"
        )
        cited = [p.citation for p in answer.passages if p.citation.document_id.endswith("Pressekontakt.txt")]
        assert cited and cited[0].url.endswith("/Pressekontakt.txt") and cited[0].url.startswith("https://")

        library.put(f"{FOLDER}/Pressekontakt.txt", PRESS.replace("pressevakten", "vakttelefonen").encode())
        second = run_sync(settings, credential=LocalCredential())
        assert second.ok, second.error
        (again,) = [s for s in second.sources[0].skipped if s.path.endswith("Bombe.pdf")]
        assert "not retried until the file changes" in again.reason

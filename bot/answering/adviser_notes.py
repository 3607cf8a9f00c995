"""The last, separate step of answer assembly: earlier adviser answers to similar questions.

The verdict, the rule and the passages are decided before this step and are not changed by it; it
only attaches the communications department's notes (`knowledge.notes.AdviserNote`, indexed as their
own source type) that match the question well enough, to be shown below the rule.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.answering.answer import AdviserNoteShown, Answer
from index.retrieval import Retriever

NOTES_SHOWN = 2


def with_adviser_notes(answer: Answer, retriever: Retriever, vector: np.ndarray, min_similarity: float) -> Answer:
    """`answer` with the municipality's matching adviser notes attached (a copy; nothing else changes).

    `min_similarity` is the embedder's bar for answering a question of unknown scope
    (`Calibration.threshold("unknown", language)`): a note must match as well as a passage must to
    answer a question outside the strategy's own words.
    """
    found = retriever.notes_for(vector, answer.municipality, min_similarity, k=NOTES_SHOWN)
    if not found:
        return answer
    shown = [AdviserNoteShown(n.id, n.text, n.author, n.written_on, n.question, score) for n, score in found]
    return replace(answer, adviser_notes=shown)

"""The answer thresholds that cross-validation chooses (`python -m bench.quality --kfold 5`), and the grid tried.

Every threshold here trades answering against abstaining; none names a document or a question.
The defaults are the values most folds chose (see README "Quality").
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """Thresholds of the answer path (confidences are the engine's 0–1 confidence; margins are rule-score units)."""

    verdict_confidence: float = 0.2  # below it no yes/no verdict: the rules are shown to read ("info")
    peer_margin: float = 0.04  # candidate rules within this of the best one count as answering the same question
    no_margin: float = 0.02  # a yes or no needs the rule this much above the minimum rule similarity
    about_overlap: float = 0.2  # … and this IDF-weighted share of the question's words in the rule
    rule_similarity_offset: float = 0.0  # added to the model's minimum rule similarity
    duty_margin: float = 0.07  # "yes, required" from a rule that shares few of the question's words needs this much above the minimum similarity
    restriction_margin: float = 0.01  # a plain yes gives way to a restriction this close in similarity to the question as the permission
    strong_margin: float = 0.03  # a rule sharing no topic word with the question must be this much above the minimum
    weights: tuple[float, ...] | None = None  # the ranker's weights; None: bot/ranking.RANKER_WEIGHTS
    rule_search: int = 8  # rules found by their own vectors, besides those in the best passages


DEFAULT = Tuning()

GRID: list[Tuning] = [
    Tuning(verdict_confidence=v, peer_margin=p, strong_margin=m)
    for v, p, m in itertools.product((0.2, 0.35), (0.04, 0.08), (0.03, 0.07))
]
# How strongly the ranker's weights are pulled towards the hand-weighted score (bot.answering.ranking.fit_weights);
# None: the hand-weighted score alone (no fitted weights). (1.0, None) was measured: the training folds
# prefer the fitted weights (they were fitted there), the held-out folds don't, so only None is tried.
RANKER_STRENGTHS: tuple[float | None, ...] = (None,)


def objective(figures: dict) -> float:
    """What tuning maximises: no unsafe verdict above all, then refusals right, then stance and rule accuracy."""
    refused, unanswerable = (int(x) for x in figures["unanswerable_refused"].split("/"))
    return (
        -10.0 * figures["unsafe_verdicts"]
        - 1.0 * figures["false_refusals"]
        - 1.0 * (unanswerable - refused)
        + figures["questions"] * ((figures["stance_accuracy"] or 0.0) + figures["rule_accuracy"]) / 2
    )

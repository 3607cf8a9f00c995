"""The matching-rule ranker: a linear score over a candidate rule's features.

The first feature is the hand-weighted score of bot/matching.py (similarity, passage score, word
overlap, role fit, modality fit); the others let the weights correct it: how far the candidate is
from the best candidate's similarity and passage score, how many of the question's words it uses,
how it fits the asker's role, whether its modality answers the kind of question, whether it was
found only by its own vector, whether its document is superseded.

The weights are fitted (conditional logit over each question's candidates, pulled towards the
hand-weighted score alone) by `python -m bench.quality --fit` on all shared question sets; the
figures reported in the README come from `--kfold`, where each fold's weights are fitted on the
other folds only. Weights (1, 0, 0, …) rank exactly as the hand-weighted score.
"""
from __future__ import annotations

import math

import numpy as np

from knowledge.rules import Rule

FEATURES: tuple[str, ...] = (
    "hand_score",
    "similarity_gap",  # rule's cosine minus the best candidate's
    "passage_gap",  # its passage's score minus the best candidate passage's
    "shared",  # IDF-weighted share of the question's words in the rule
    "on_topic",
    "fit_other_role",  # written for another role
    "fit_everyone",
    "fit_broader_role",
    "fit_own_role",
    "direct_modality",  # "Kan jeg …?" answered by may/must_not, "Hvem …?" by responsible, …
    "other_modality",
    "conditional_rule",  # "Dersom …" for a question that names no situation
    "superseded",
    "found_by_rule_vector",  # not in the best passages or their sections
    "no_roles",
    "prohibition",  # must_not / should_not
    "length",  # log of the rule's length in characters, over 5
    "who_with_roles",  # a "who" question and a rule that names roles
)

# Fitted by `python -m bench.quality --fit` (see the module docstring); README "Quality" has the run.
HAND_WEIGHTS: tuple[float, ...] = (1.0,) + (0.0,) * (len(FEATURES) - 1)  # the hand-weighted score alone
RANKER_WEIGHTS: tuple[float, ...] = HAND_WEIGHTS

_FIT_FEATURES = {0: "fit_other_role", 1: "fit_everyone", 2: "fit_broader_role", 3: "fit_own_role", 4: "fit_own_role"}


def ranking_features(
    *,
    hand_score: float,
    similarity_gap: float,
    passage_gap: float,
    shared: float,
    on_topic: bool,
    fit: int,
    direct: bool,
    secondary: bool,
    unconditional_question: bool,
    superseded: bool,
    source: str,
    rule: Rule,
    intent: str,
) -> np.ndarray:
    """One candidate's feature vector, in the order of FEATURES."""
    x = np.zeros(len(FEATURES), dtype=np.float32)
    values = {
        "hand_score": hand_score,
        "similarity_gap": similarity_gap,
        "passage_gap": passage_gap,
        "shared": shared,
        "on_topic": float(on_topic),
        _FIT_FEATURES[fit]: 1.0,
        "direct_modality": float(direct),
        "other_modality": float(secondary),
        "conditional_rule": float(unconditional_question),
        "superseded": float(superseded),
        "found_by_rule_vector": float(source == "rule_search"),
        "no_roles": float(not rule.roles),
        "prohibition": float(rule.modality in ("must_not", "should_not")),
        "length": math.log(max(len(rule.text), 1)) / 5,
        "who_with_roles": float(intent == "who" and bool(rule.roles)),
    }
    for name, value in values.items():
        x[FEATURES.index(name)] = value
    return x


def fit_weight_change(old_fit: int, new_fit: int, weights: tuple[float, ...] = RANKER_WEIGHTS) -> float:
    """The change in score from the role-fit features alone when a candidate's fit changes."""
    return weights[FEATURES.index(_FIT_FEATURES[new_fit])] - weights[FEATURES.index(_FIT_FEATURES[old_fit])]


def fit_weights(
    candidate_sets: list[tuple[np.ndarray, list[int]]], prior: tuple[float, ...] = RANKER_WEIGHTS, strength: float = 1.0,
    scale: float = 20.0,
) -> tuple[float, ...]:
    """Weights that make each question's gold candidates likely under a softmax over its candidates.

    candidate_sets: per question, (features of its candidates as rows, indices of the gold ones).
    The softmax is over scale × score (scores are in the hand-weighted score's units, where 0.05 is a
    clear difference); `strength` pulls the weights towards the hand-weighted score alone."""
    from scipy.optimize import minimize

    start = np.zeros(len(FEATURES))
    start[0] = 1.0
    usable = [(X.astype(np.float64), gold) for X, gold in candidate_sets if gold and len(X) > 1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for X, gold in usable:
            z = scale * (X @ w)
            z -= z.max()
            p = np.exp(z)
            p /= p.sum()
            pg = p[gold].sum()
            total -= math.log(max(pg, 1e-12))
            q = np.zeros_like(p)
            q[gold] = p[gold] / max(pg, 1e-12)
            grad -= scale * (X.T @ (q - p))
        d = w - start
        return total + strength * float(d @ d), grad + 2 * strength * d

    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return tuple(round(float(v), 4) for v in result.x)

"""The answer thresholds chosen by cross-validation (bench/quality.py --kfold), and the grid tried."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """Placeholder; filled in below."""


DEFAULT = Tuning()
GRID = [DEFAULT]


def objective(figures: dict) -> float:
    return 0.0

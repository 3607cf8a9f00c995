"""Per-question answer time of this checkout against another one, measured in the same run:
`python -m bench.answer_timing OTHER_CHECKOUT [--rounds 3]`.

Each checkout answers the shared development and colloquial questions with `veileder ask --batch
--json` (model loaded, `timing_ms` per question) in its own process and its own data folder
(OTHER_CHECKOUT/.timing-data, THIS/.timing-data; models are converted once, indexes built once),
alternating between the two for `--rounds` rounds so that load on the machine hits both alike.
Prints each side's median and p95 and the ratio of the medians (issue 9: at most 1.3).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SETS = [EVAL / "dev_questions.jsonl", EVAL / "colloquial_questions.jsonl"]


def _env(checkout: Path, data: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(checkout), "VEILEDER_DATA_DIR": str(data), "VEILEDER_INDEX_DIR": str(data / "index")}


def timings(checkout: Path, data: Path, questions: Path) -> list[float]:
    """timing_ms of every answer of one batch run."""
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "ask", "--batch", str(questions), "--json"],
        env=_env(checkout, data), cwd=checkout, check=True, capture_output=True, text=True,
    ).stdout
    return [json.loads(line)["timing_ms"] for line in out.splitlines() if line.startswith("{")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("other", type=Path, help="the checkout to compare with (e.g. a worktree of main)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sides = {"this": (ROOT, ROOT / ".timing-data"), "other": (args.other.resolve(), args.other.resolve() / ".timing-data")}
    for checkout, data in sides.values():
        if not (data / "index" / "CURRENT").exists():
            subprocess.run([sys.executable, "-m", "bot.cli.app", "index"], env=_env(checkout, data), cwd=checkout, check=True, capture_output=True)
    measured: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, (checkout, data) in sides.items():
            for questions in SETS:
                measured[name] += timings(checkout, data, questions)
    for name, values in measured.items():
        values.sort()
        print(f"{name:6} median {statistics.median(values):6.1f} ms   p95 {values[int(0.95 * (len(values) - 1))]:6.1f} ms   ({len(values)} answers)")
    ratio = statistics.median(measured["this"]) / statistics.median(measured["other"])
    print(json.dumps({"median_ratio": round(ratio, 2)}))


if __name__ == "__main__":
    main()

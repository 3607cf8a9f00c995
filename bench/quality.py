"""Answer quality on every shared question set, scored by the shared scorer: `make quality`
(or `python -m bench.quality`).

Sets (read from ../shared/eval beside the repository, and bench/heldout_questions.jsonl):
- bundled documents: dev, colloquial, refuse, heldout — answered from the index of the bundled documents;
- other-municipalities: answered from an index built from ../shared/eval/other-municipalities/documents
  alone (built once into DATA_DIR/other-index when missing; `--rebuild` builds it again).

Prints one scorer JSON line per set, then the bundled sets pooled, then the safety set
(bench/safety_questions.jsonl: how many answers take a stance the question marks as misleading;
`--show` lists them) and its counterpart about the other municipalities' documents
(bench/safety_other_questions.jsonl). The model is loaded once and the
answers are written to DATA_DIR/quality/<set>.answers.jsonl, so
`python ../shared/eval/score.py SET --answers …` shows the misses of any set afterwards.

`--kfold K` chooses the answer thresholds honestly: the questions of all sets are split into K folds
(by a fixed seed); for each fold the thresholds are chosen on the other folds and the fold's questions
are answered with them. It prints the tuned-on and reported-on figures per fold and pooled, and the
thresholds each fold chose. See bot/tuning.py for what is tuned.
"""
from __future__ import annotations

import argparse
import importlib.util

import numpy as np
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
OTHER_DOCUMENTS = EVAL / "other-municipalities" / "documents"
BUNDLED_SETS = {
    "dev": EVAL / "dev_questions.jsonl",
    "colloquial": EVAL / "colloquial_questions.jsonl",
    "refuse": EVAL / "refuse_questions.jsonl",
    "heldout": ROOT / "bench" / "heldout_questions.jsonl",
}
OTHER_SET = {"other": EVAL / "other-municipalities" / "questions.jsonl"}
# Staff's questions about the bundled documents with the stances the documents allow (`ok`) and those
# that would mislead the asker (`bad`), written as a new user would ask by someone who had not seen the
# method; see README "Quality" for which of them the method was developed on.
SAFETY_SETS = {"safety": ROOT / "bench" / "safety_questions.jsonl"}
# The same about the other municipalities' documents (answered from their own index).
SAFETY_OTHER_SETS = {"safety-other": ROOT / "bench" / "safety_other_questions.jsonl"}


def load_scorer():
    """The shared scorer module (../shared/eval/score.py), imported as is."""
    spec = importlib.util.spec_from_file_location("shared_score", EVAL / "score.py")
    if spec is None or spec.loader is None or not (EVAL / "score.py").exists():
        sys.exit(f"the shared scorer is missing: {EVAL / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answer_all(engine, questions: list[dict], tuning=None) -> list[dict]:
    """Answers as `veileder ask --batch --json` prints them (with timing_ms), in order."""
    from knowledge.errors import VeilederError

    engine.warm_up()
    out = []
    for item in questions:
        started = time.perf_counter()
        try:
            result = engine.ask(item["question"], municipality=item.get("municipality"), role=item.get("role"), tuning=tuning).to_dict()
        except VeilederError as exc:
            result = {"question": item["question"], "answered": False, "error": str(exc), "rule": None, "passages": []}
        result = {"id": item.get("id"), **result, "timing_ms": round((time.perf_counter() - started) * 1000, 2)}
        out.append(result)
    return out


def engines(rebuild: bool = False):
    """(bundled engine, other-municipalities engine), sharing one loaded model."""
    from bot.cli.app import build
    from bot.answering.engine import AnswerEngine
    from bot.settings import Settings

    settings = Settings()
    bundled = AnswerEngine.open(settings)
    try:
        bundled.retriever()
    except Exception:
        build(settings, quiet=True)
    other_settings = settings.model_copy(update={"index_dir": settings.data_dir / "other-index", "documents_dir": OTHER_DOCUMENTS})
    if rebuild or not (other_settings.index_dir / "CURRENT").exists():
        build(other_settings, quiet=True)
    other = AnswerEngine(other_settings, embedder=bundled.embedder)
    return bundled, other


def run_sets(bundled, other, scorer, out_dir: Path | None, tuning=None) -> dict[str, tuple[list[dict], list[dict]]]:
    """{set: (questions, answers)} for every set."""
    results = {}
    for name, path in {**BUNDLED_SETS, **OTHER_SET}.items():
        if not path.exists():
            print(f"(skipped {name}: {path} is missing)", file=sys.stderr)
            continue
        questions = load_jsonl(path)
        answers = answer_all(other if name == "other" else bundled, questions, tuning)
        results[name] = (questions, answers)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{name}.answers.jsonl").write_text(
                "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8"
            )
    return results


def report(scorer, results: dict[str, tuple[list[dict], list[dict]]]) -> None:
    pooled_q, pooled_a = [], []
    for name, (questions, answers) in results.items():
        figures, _ = scorer.score(questions, answers)
        print(f"{name:12} {json.dumps(figures, ensure_ascii=False)}")
        if name != "other":
            pooled_q += questions
            pooled_a += answers
    if pooled_q:
        figures, _ = scorer.score(pooled_q, pooled_a)
        print(f"{'bundled-all':12} {json.dumps(figures, ensure_ascii=False)}")


def safety(engine, path: Path, show: bool = False) -> dict:
    """{questions, wrong_way: answers whose stance the question marks as misleading, as_expected: answers
    whose stance it marks as right}; with `show`, each wrong-way answer is printed."""
    questions = load_jsonl(path)
    answers = answer_all(engine, questions)
    wrong = [(q, a) for q, a in zip(questions, answers) if a.get("stance") in q["bad"]]
    if show:
        for q, a in wrong:
            rule = (a.get("rule") or {}).get("text", "")
            print(f"  wrong way {q['id']} ({q['role']}): {q['question']} → {a['stance']} «{a['verdict']}» {rule[:80]}")
    expected = sum(a.get("stance") in q["ok"] for q, a in zip(questions, answers))
    return {"questions": len(questions), "wrong_way": len(wrong), "as_expected": expected}


def candidate_sets(bundled, other, items: list[tuple[str, dict]], scorer) -> dict[int, tuple]:
    """{id(question): (candidate features, gold indices)} for the questions that name a matching rule."""
    out = {}
    for name, q in items:
        if not q.get("rule"):
            continue
        engine = other if name == "other" else bundled
        scored = engine.candidates(q["question"], q.get("municipality"), q.get("role"))
        if not scored:
            continue
        wanted = scorer.squash(q["rule"])
        gold = [i for i, c in enumerate(scored) if wanted in scorer.squash(c.rule.text)]
        out[id(q)] = (np.stack([c.features for c in scored]), gold)
    return out


def all_items() -> list[tuple[str, dict]]:
    items = []
    for name, path in {**BUNDLED_SETS, **OTHER_SET}.items():
        if path.exists():
            items += [(name, q) for q in load_jsonl(path)]
    return items


def fit(bundled, other, scorer, strength: float) -> None:
    """Fit the ranker's weights on every set and print them for bot/ranking.RANKER_WEIGHTS."""
    from bot.answering.ranking import FEATURES, fit_weights

    sets = candidate_sets(bundled, other, all_items(), scorer)
    weights = fit_weights(list(sets.values()), strength=strength)
    for name, w in zip(FEATURES, weights):
        print(f"  {name:22} {w:+.4f}")
    print("RANKER_WEIGHTS =", weights)


def kfold(bundled, other, scorer, k: int, seed: int = 9) -> None:
    """Fit the ranker and choose the thresholds on K-1 folds, report on the held-out fold; every
    question is reported on exactly once, answered with weights and thresholds chosen without it."""
    from bot.answering.ranking import HAND_WEIGHTS, fit_weights
    from bot.answering.tuning import GRID, RANKER_STRENGTHS, objective

    items = all_items()
    random.Random(seed).shuffle(items)
    folds = [items[i::k] for i in range(k)]
    names = {id(q): n for n, q in items}
    sets = candidate_sets(bundled, other, items, scorer)
    reported: list[tuple[dict, dict]] = []
    for f, fold in enumerate(folds):
        train = [q for g, other_fold in enumerate(folds) if g != f for _, q in other_fold]
        train_sets = [sets[id(q)] for q in train if id(q) in sets]
        points = [
            replace(t, weights=weights)
            for weights in (
                fit_weights(train_sets, strength=strength) if strength is not None else HAND_WEIGHTS
                for strength in RANKER_STRENGTHS
            )
            for t in GRID
        ]

        def answers(questions, tuning):
            return [answer_all(other if names[id(q)] == "other" else bundled, [q], tuning)[0] for q in questions]

        train_answers = [answers(train, t) for t in points]
        best = max(range(len(points)), key=lambda p: objective(scorer.score(train, train_answers[p])[0]))
        test = [q for _, q in fold]
        test_answers = answers(test, points[best])
        reported += list(zip(test, test_answers))
        chosen = {k2: v for k2, v in vars(points[best]).items() if k2 != "weights"}
        chosen["ranker_strength"] = RANKER_STRENGTHS[best // len(GRID)]
        print(f"fold {f + 1}: thresholds {chosen}")
        print(f"  tuned-on    {json.dumps(_short(scorer.score(train, train_answers[best])[0]))}")
        print(f"  reported-on {json.dumps(_short(scorer.score(test, test_answers)[0]))}")
    print("reported-on, pooled over the folds:")
    groups = {n: [] for n in dict.fromkeys(n for n, _ in all_items())}
    for q, a in reported:
        groups[names[id(q)]].append((q, a))
    groups["bundled-all"] = [(q, a) for q, a in reported if names[id(q)] != "other"]
    groups["everything"] = reported
    for name, pairs in groups.items():
        if pairs:
            print(f"  {name:12} {json.dumps(_short(scorer.score([q for q, _ in pairs], [a for _, a in pairs])[0]))}")


def _short(figures: dict) -> dict:
    keys = ("questions", "recall@3", "rule_accuracy", "stance_accuracy", "unsafe_verdicts", "false_refusals", "unanswerable_refused")
    return {k: figures[k] for k in keys}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kfold", type=int, default=0, help="choose thresholds by K-fold cross-validation over all sets")
    ap.add_argument("--fit", action="store_true", help="fit the ranker's weights on every set and print them")
    ap.add_argument("--strength", type=float, default=1.0, help="with --fit: pull towards the hand-weighted score")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the other-municipalities index")
    ap.add_argument("--show", action="store_true", help="print each safety question answered the wrong way")
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"no shared evaluation sets at {EVAL}")
    scorer = load_scorer()
    bundled, other = engines(args.rebuild)
    if args.fit:
        fit(bundled, other, scorer, args.strength)
        return
    if args.kfold:
        kfold(bundled, other, scorer, args.kfold)
        return
    out_dir = bundled.settings.data_dir / "quality"
    report(scorer, run_sets(bundled, other, scorer, out_dir))
    for name, path in SAFETY_SETS.items():
        print(f"{name:12} {json.dumps(safety(bundled, path, show=args.show), ensure_ascii=False)}")
    for name, path in SAFETY_OTHER_SETS.items():
        print(f"{name:12} {json.dumps(safety(other, path, show=args.show), ensure_ascii=False)}")
    print(f"(answers in {out_dir})")


if __name__ == "__main__":
    main()

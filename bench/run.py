"""Speed and memory figures: `make bench` (or `python -m bench.run`) prints them.

Measured:
- answer latency, warm, single question (median, p95) over the development questions;
- cold start to first answer with a built index (a fresh `veileder ask` process);
- full index build of the bundled documents (model loaded, nothing reused);
- search latency (p50, p95) and resident memory at 10k and 100k synthetic passages.

Targets (issue 2): median ≤ 30 ms, cold start ≤ 8 s, full build ≤ 30 s, 100k search p95 ≤ 50 ms.
Each synthetic size runs in its own process so its memory figure is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
FALLBACK_QUESTIONS = [
    ("Kan jeg uttale meg til pressen?", "ostre-toten", "employee"),
    ("Hvem gir politiske kommentarer?", "ostre-toten", None),
    ("Who speaks for the municipality?", "modum", None),
    ("Kan eg leggje ut bilete frå jobben?", "ostre-toten", None),
    ("Hvilke sosiale medier bruker kommunen?", "baerum", None),
]


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _questions() -> list[tuple[str, str | None, str | None]]:
    if DEV_QUESTIONS.exists():
        rows = [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(r["question"], r["municipality"], r["role"]) for r in rows]
    return FALLBACK_QUESTIONS


def prepare_index(data_dir: Path) -> None:
    """Convert the model and build the index in a separate process, as `veileder index` does."""
    env = {**os.environ, "VEILEDER_DATA_DIR": str(data_dir), "VEILEDER_INDEX_DIR": str(data_dir / "index")}
    subprocess.run([sys.executable, "-m", "bot.cli.app", "index"], env=env, cwd=ROOT, check=True, capture_output=True)


def bench_answers(data_dir: Path) -> dict:
    from bot.answering.engine import AnswerEngine
    from bot.settings import Settings
    from index.builder import build_index
    from index.embedder import load_embedder
    from knowledge.library import bundled_documents_dir, load_knowledge

    settings = Settings(_env_file=None, data_dir=data_dir, index_dir=data_dir / "timed-index")
    embedder = load_embedder(settings.model, settings.data_dir)
    kb = load_knowledge(bundled_documents_dir())
    started = time.perf_counter()
    report = build_index(kb, embedder, settings.resolved_index_dir())
    build_s = time.perf_counter() - started
    engine = AnswerEngine(settings, embedder=embedder)
    questions = _questions()
    for q, m, r in questions[:3]:  # warm up
        engine.ask(q, municipality=m, role=r)
    timings = []
    for _ in range(3):
        for q, m, r in questions:
            t = time.perf_counter()
            engine.ask(q, municipality=m, role=r)
            timings.append((time.perf_counter() - t) * 1000)
    return {
        "full_build_s": round(build_s, 2),
        "build_passages": report.passages,
        "build_rules": report.rules,
        "embedded_texts": report.embedded,
        "answer_median_ms": round(statistics.median(timings), 1),
        "answer_p95_ms": round(_percentile(timings, 95), 1),
        "answers_timed": len(timings),
        "engine_rss_mb": round(_rss_mb(), 0),
    }


def bench_cold_start(data_dir: Path, runs: int = 3) -> tuple[float, float]:
    """Wall time of a fresh process answering one question from a built index (median, worst).

    Measured before this process loads the model, so nothing else competes for the two cores."""
    env = {**os.environ, "VEILEDER_DATA_DIR": str(data_dir), "VEILEDER_INDEX_DIR": str(data_dir / "index")}
    command = [sys.executable, "-m", "bot.cli.app", "ask", "Kan jeg uttale meg til pressen?", "-m", "ostre-toten", "--json"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2), round(max(times), 2)


def bench_synthetic(size: int) -> dict:
    """Search over `size` synthetic passages: words drawn from the real documents, random unit vectors."""
    import numpy as np

    from index.embedder import HashingEmbedder
    from index.lexical import LexicalIndex
    from index.retrieval import Retriever
    from index.store import MunicipalityInfo, StoredIndex
    from knowledge.library import bundled_documents_dir, load_knowledge
    from knowledge.passages import Passage

    rng = random.Random(7)
    words = " ".join(p.text for p in load_knowledge(bundled_documents_dir()).passages).split()
    municipalities = [f"kommune-{i:02d}" for i in range(20)]
    rss_before = _rss_mb()
    passages = []
    for i in range(size):
        muni = municipalities[i * len(municipalities) // size]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(20, 60)))
        passages.append(Passage(f"{muni}/doc.txt#{i}", f"{muni}/doc.txt", muni, ("Seksjon",), text, "paragraph", order=i))
    dimension = 384
    vectors = np.random.default_rng(7).standard_normal((size, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    lexical = LexicalIndex.build([p.search_text() for p in passages])
    lexical_build_s = time.perf_counter() - started
    manifest = {"model": "synthetic", "dimension": dimension, "documents": {}}
    stored = StoredIndex(Path("."), manifest, passages, [], vectors, np.zeros((0, dimension), np.float32), lexical,
                         {m: MunicipalityInfo(m, m) for m in municipalities})
    embedder = HashingEmbedder(dimension)
    embedder.name = "synthetic"
    retriever = Retriever(stored, embedder)
    queries = [" ".join(rng.choice(words) for _ in range(8)) for _ in range(60)]
    query_vectors = np.random.default_rng(8).standard_normal((len(queries), dimension)).astype(np.float32)
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    timings, filtered = [], []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        retriever.search(q, None, k=16, vector=query_vectors[i])
        timings.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        retriever.search(q, municipalities[i % len(municipalities)], k=16, vector=query_vectors[i])
        filtered.append((time.perf_counter() - t) * 1000)
    return {
        "passages": size,
        "search_p50_ms": round(_percentile(timings, 50), 2),
        "search_p95_ms": round(_percentile(timings, 95), 2),
        "filtered_search_p95_ms": round(_percentile(filtered, 95), 2),
        "lexical_build_s": round(lexical_build_s, 2),
        "rss_mb": round(_rss_mb(), 0),
        "rss_added_mb": round(_rss_mb() - rss_before, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, help=argparse.SUPPRESS)  # internal: one size in this process
    parser.add_argument("--sizes", default="10000,100000", help="synthetic passage counts")
    args = parser.parse_args()
    if args.synthetic:
        print(json.dumps(bench_synthetic(args.synthetic)))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="veileder-bench-") as tmp:
        data_dir = Path(tmp)
        prepare_index(data_dir)
        cold, worst = bench_cold_start(data_dir)
        print(f"cold start to first answer (new `veileder ask` process, index built): median {cold} s, worst {worst} s   target ≤ 8 s")
        answers = bench_answers(data_dir)
        print(f"full index build (bundled documents, model loaded, {answers['embedded_texts']} texts embedded): {answers['full_build_s']} s   target ≤ 30 s")
        print(f"answer latency, warm ({answers['answers_timed']} answers): median {answers['answer_median_ms']} ms, p95 {answers['answer_p95_ms']} ms   target median ≤ 30 ms")
        print(f"engine resident memory: {answers['engine_rss_mb']:.0f} MB")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, "-m", "bench.run", "--synthetic", str(size)], cwd=ROOT, check=True, capture_output=True, text=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"search over {size:,} synthetic passages: p50 {figures['search_p50_ms']} ms, p95 {figures['search_p95_ms']} ms "
            f"(one municipality: p95 {figures['filtered_search_p95_ms']} ms), resident memory {figures['rss_mb']:.0f} MB "
            f"(+{figures['rss_added_mb']:.0f} MB for the index){'   target p95 ≤ 50 ms' if size >= 100_000 else ''}"
        )


if __name__ == "__main__":
    main()

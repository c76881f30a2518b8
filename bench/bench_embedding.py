"""Which embedding path: PyTorch (reference) against ONNX Runtime fp32 and int8, in one run.

    .venv/bin/python -m bench.bench_embedding            # speed, agreement, whole process
    .venv/bin/python -m bench.bench_embedding --quick    # skip the whole-process synthesis
    .venv/bin/python -m bench.bench_embedding --threads 1
    .venv/bin/python -m bench.bench_embedding --quick --seeds 5   # ARIs over 5 clustering seeds

Every backend runs with the same number of threads (torch.set_num_threads, ONNX Runtime's
intra_op_num_threads; 2 by default) on the distinct texts of both labelled sets
(bench/data/consultation and bench/data/labelled_comments.jsonl), after one warm-up batch.
Printed: texts per second and the ratio to PyTorch measured in this run; each row's cosine to
PyTorch's vector (min, mean, share ≥ 0.99); per set, the mean over measures of the ARI of our
clustering (`find_themes`, as a run does) against the human coding, with its delta to
PyTorch's; then the ARI of k-means told the true number of themes, over 100 seeds, with its
delta to PyTorch's and that delta's standard error. The fastest path within 0.01 of PyTorch on
both sets by that measure is named (one seed of our clustering moves by more than that between
any two nearby vector sets, so it cannot tell paths apart; `--seeds` shows it). `auto` takes
that path for runs of more than PLENARY_EMBED_INT8_ABOVE texts and fp32 (PyTorch's vectors)
for the rest: `bench_synthesis_quality --backend onnx-int8` shows what int8 costs the titles.

The last part times the whole `plenary synthesise` process (import, model load, database,
clustering, storing) on 4,000 comments of one measure, for the torch backend, for auto (fp32
at this size) and for onnx-int8, against a plain PyTorch `model.encode` of the same texts in
this process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from app.embedding.engine import SentenceTransformerEmbedder
from app.synthesis.themes import find_themes
from bench.consultation_data import NOISE, load_consultation, load_old_set, recombined_scope
from bench.vector_cache import OUT

ONNX_VARIANTS = ("fp32", "int8", "int8-fp32-attention")
ARI_TOLERANCE = 0.01
KMEANS_SEEDS = 100  # k-means is cheap; fewer seeds leave a standard error near the tolerance


def load() -> tuple[list[str], dict[str, list[dict]]]:
    sets = {"consultation": load_consultation()[1], "labelled_comments": load_old_set()[1]}
    texts = list(dict.fromkeys(r["text"] for rows in sets.values() for r in rows))
    return texts, sets


def interleaved_timings(backends: dict, texts: list[str], repeats: int) -> dict:
    """Each backend's vectors and best time, the backends taking turns in every round so that
    a change in the machine's load falls on all of them alike."""
    vectors, best = {}, {name: float("inf") for name in backends}
    for encode in backends.values():
        encode(texts[:32])  # warm-up: first-call allocations, thread pools
    for _ in range(repeats):
        for name, encode in backends.items():
            start = time.perf_counter()
            vectors[name] = np.asarray(encode(texts), dtype=np.float32)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (vectors[name], best[name]) for name in backends}


def measure_themes(vectors: dict[str, np.ndarray], rows: list[dict],
                   seed: int = 0) -> dict[str, np.ndarray]:
    """find_themes of each measure's rows (labels, -1 for noise), by measure; the numerical
    libraries on one thread, as a run has them."""
    from threadpoolctl import threadpool_limits

    found = {}
    with threadpool_limits(limits=1):
        for measure in sorted({r["measure"] for r in rows}):
            part = [r for r in rows if r["measure"] == measure]
            matrix = np.stack([vectors[r["text"]] for r in part])
            found[measure] = np.asarray(find_themes(matrix, [r["text"] for r in part],
                                                    min_theme_size=2, seed=seed).labels)
    return found


def ari(vectors: dict[str, np.ndarray], rows: list[dict], seed: int = 0) -> float:
    """Mean over measures of the ARI of find_themes against the coding (noise rows left out,
    -1 counted as one more label), as bench_synthesis_quality computes it."""
    scores = []
    for measure, found in measure_themes(vectors, rows, seed).items():
        truth = np.array([r["theme"] for r in rows if r["measure"] == measure])
        real = truth != NOISE
        scores.append(adjusted_rand_score(truth[real], found[real]))
    return float(np.mean(scores))


def kmeans_ari(vectors: dict[str, np.ndarray], rows: list[dict], seeds: int) -> np.ndarray:
    """Per seed, the mean over measures of the ARI of k-means told the true number of themes
    (one initialisation per seed) against the coding, content-free rows left out."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    by_measure = {}
    for r in rows:
        if r["theme"] != NOISE:
            by_measure.setdefault(r["measure"], []).append(r)
    scores = np.zeros(seeds)
    with threadpool_limits(limits=1):
        for part in by_measure.values():
            truth = [r["theme"] for r in part]
            matrix = np.stack([vectors[r["text"]] for r in part])
            for seed in range(seeds):
                found = KMeans(len(set(truth)), n_init=1, random_state=seed).fit_predict(matrix)
                scores[seed] += adjusted_rand_score(truth, found) / len(by_measure)
    return scores


def seed_study(by_backend: dict[str, dict[str, np.ndarray]], sets: dict[str, list[dict]],
               seeds: int) -> None:
    """Per backend and set, over clustering seeds 0..seeds-1: the mean ARI against the human
    coding, its mean delta to PyTorch's and the range of that delta seed by seed; and how
    well the backend's themes agree with PyTorch's own (ARI over every row, noise as a label,
    mean over measures and seeds)."""
    print(f"\n## Over {seeds} clustering seeds: ARI against the coding (mean, Δ to PyTorch, "
          "Δ range by seed) and agreement with PyTorch's themes")
    reference = {name: [measure_themes(by_backend["torch"], rows, seed) for seed in range(seeds)]
                 for name, rows in sets.items()}
    human = {name: {b: [ari(v, rows, seed) for seed in range(seeds)]
                    for b, v in by_backend.items()} for name, rows in sets.items()}
    for backend, vectors in by_backend.items():
        cells = []
        for name, rows in sets.items():
            deltas = np.array(human[name][backend]) - np.array(human[name]["torch"])
            agree = [np.mean([adjusted_rand_score(reference[name][seed][m], found[m])
                              for m in found])
                     for seed in range(seeds)
                     for found in [measure_themes(vectors, rows, seed)]]
            cells.append(f"{name[:12]} {np.mean(human[name][backend]):.3f} "
                         f"({deltas.mean():+.3f}, {deltas.min():+.3f}..{deltas.max():+.3f}) "
                         f"agree {np.mean(agree):.3f}")
        print(f"{backend:<26}" + "   ".join(cells))


def compare(threads: int, repeats: int, cache: Path, seeds: int = 1) -> dict[str, float]:
    import torch

    from app.embedding.onnx_engine import OnnxEmbedder

    torch.set_num_threads(threads)
    texts, sets = load()
    reference = SentenceTransformerEmbedder()
    plain = reference._model  # noqa: SLF001  (the bench's baseline is the bare model.encode)

    def torch_encode(batch: list[str]) -> np.ndarray:
        return plain.encode(batch, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    backends = {"torch": torch_encode}
    build_seconds = {}
    for variant in ONNX_VARIANTS:
        start = time.perf_counter()
        embedder = OnnxEmbedder(cache_folder=cache, variant=variant, threads=threads)
        build_seconds[variant] = time.perf_counter() - start
        backends[f"onnx-{variant}"] = embedder.encode
    print(f"{len(texts)} distinct texts, {threads} thread(s), best of {repeats}; "
          f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("ONNX load (build on first use): " + ", ".join(
        f"{v} {s:.1f} s" for v, s in build_seconds.items()))
    timings = interleaved_timings(backends, texts, repeats)
    header = ("backend", "texts/s", "× torch", "cos min", "cos mean", "≥0.99",
              *(f"ARI {name[:5]}" for name in sets), *(f"Δ {name[:5]}" for name in sets))
    print(f"{header[0]:<26}" + "".join(f"{h:>10}" for h in header[1:]))
    results: dict[str, dict[str, float]] = {}
    base_vectors = timings["torch"][0]
    for name, (vectors, seconds) in timings.items():
        cos = (vectors * base_vectors).sum(axis=1)
        by_text = dict(zip(texts, vectors, strict=True))
        scores = [ari(by_text, rows) for rows in sets.values()]
        results[name] = {"rate": len(texts) / seconds, "cos_min": float(cos.min()),
                         **{f"ari{i}": s for i, s in enumerate(scores)}}
        rate = results[name]["rate"]
        deltas = [s - results["torch"][f"ari{i}"] for i, s in enumerate(scores)]
        cells = [f"{rate:.1f}", f"{rate / results['torch']['rate']:.2f}", f"{cos.min():.4f}",
                 f"{cos.mean():.5f}", f"{(cos >= 0.99).mean():.3f}",
                 *(f"{s:.3f}" for s in scores), *(f"{d:+.3f}" for d in deltas)]
        print(f"{name:<26}" + "".join(f"{c:>10}" for c in cells))
        results[name]["max_delta"] = max(abs(d) for d in deltas)
    if seeds > 1:
        seed_study({name: dict(zip(texts, vectors, strict=True))
                    for name, (vectors, _) in timings.items()}, sets, seeds)
    print(f"\n## k-means told the true number of themes, {KMEANS_SEEDS} seeds: mean ARI against "
          "the coding, Δ to PyTorch (± its standard error over seeds)")
    by_backend = {name: dict(zip(texts, vectors, strict=True))
                  for name, (vectors, _) in timings.items()}
    reference = {name: kmeans_ari(by_backend["torch"], rows, KMEANS_SEEDS)
                 for name, rows in sets.items()}
    for backend, vectors in by_backend.items():
        cells, worst = [], 0.0
        for name, rows in sets.items():
            scores = kmeans_ari(vectors, rows, KMEANS_SEEDS)
            delta = scores - reference[name]
            error = delta.std(ddof=1) / np.sqrt(KMEANS_SEEDS) if backend != "torch" else 0.0
            worst = max(worst, abs(delta.mean()))
            cells.append(f"{name[:12]} {scores.mean():.3f} ({delta.mean():+.4f} ± {error:.4f})")
        results[backend]["kmeans_delta"] = worst
        print(f"{backend:<26}" + "   ".join(cells))
    eligible = [n for n, r in results.items() if r["kmeans_delta"] <= ARI_TOLERANCE]
    chosen = max(eligible, key=lambda n: results[n]["rate"])
    print(f"\nfastest within {ARI_TOLERANCE} ARI of PyTorch on both sets (k-means told k, mean "
          f"over seeds): {chosen}, "
          f"{results[chosen]['rate'] / results['torch']['rate']:.2f}× torch. "
          "`auto` embeds with it runs of more than PLENARY_EMBED_INT8_ABOVE texts and with "
          "onnx-fp32 (PyTorch's vectors) the rest: bench_synthesis_quality --backend onnx-int8 "
          "shows why (titles; docs/synthesis.md)")
    return {n: r["rate"] for n, r in results.items()}


DRAFT = """---
code: bench-code
title: Bench Code
round: 1
name: First draft
date: 2024-12-19
visibility: public
levels: [measure]
---

# Measure 1: Incident reporting {#m-1}

Signatories shall report serious incidents to the AI Office without undue delay.
"""


def whole_process(threads: int, n: int, backends: list[str]) -> None:
    """`plenary synthesise` of `n` comments on one measure, as a child process per backend,
    against a plain PyTorch model.encode of the same texts in this process."""
    import json

    import torch

    torch.set_num_threads(threads)
    _, sets = load()
    rows = recombined_scope(sets["consultation"],
                            ["incident-reporting", "security", "copyright-optout",
                             "risk-assessment"], n)
    texts = [r["text"] for r in rows]
    plain = SentenceTransformerEmbedder()._model  # noqa: SLF001
    plain.encode(texts[:32])
    start = time.perf_counter()
    plain.encode(texts, normalize_embeddings=True, show_progress_bar=False)
    baseline = time.perf_counter() - start
    print(f"\n## `plenary synthesise` of {len(texts)} comments on one measure "
          f"({len(set(texts))} distinct), {threads} thread(s); load avg "
          f"{os.getloadavg()[0]:.1f}")
    print(f"plain PyTorch model.encode of the same texts: {baseline:.1f} s (baseline 1.00)")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "drafts").mkdir()
        (root / "drafts" / "1.md").write_text(DRAFT)
        with (root / "feedback.jsonl").open("w") as out:
            for i, row in enumerate(rows):
                out.write(json.dumps({
                    "external_id": f"b-{i}", "provision": "m-1", "stance": row["stance"],
                    "body": row["text"], "author": {"email": f"p{i % 300}@example.org",
                                                    "name": f"P {i % 300}",
                                                    "category": row["category"]}}) + "\n")
        for backend in backends:
            env = dict(os.environ, PLENARY_INSTANCE_PATH=str(root / backend),
                       DATABASE_URL=f"sqlite:///{root / backend / 'plenary.db'}",
                       PLENARY_EMBEDDING_BACKEND=backend,
                       PLENARY_EMBEDDING_THREADS=str(threads),
                       OMP_NUM_THREADS=str(threads), PYTHONPATH=str(Path.cwd()))
            env.pop("REDIS_URL", None)
            cli = [sys.executable, "-m", "app.cli"]
            for args in (["db", "upgrade"], ["drafts", "import", str(root / "drafts")],
                         ["feedback", "import", str(root / "feedback.jsonl"),
                          "--code", "bench-code", "--round", "1"]):
                subprocess.run(cli + args, env=env, check=True, capture_output=True)
            # Build the ONNX file first (once per model, kept in the instance folder).
            subprocess.run([sys.executable, "-c", _PREPARE], env=env, check=True,
                           capture_output=True)
            start = time.perf_counter()
            done = subprocess.run(
                cli + ["synthesise", "--code", "bench-code", "--round", "1"],
                env=env, check=True, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            print(f"plenary synthesise, backend {backend:<6}: {seconds:.1f} s = "
                  f"{seconds / baseline:.2f}× the plain encode  "
                  f"({done.stdout.strip().splitlines()[-1][:70]})")


# Loads the configured embedder once, so that the timed run finds the ONNX file built.
_PREPARE = (
    "from app import create_app\n"
    "from app.embedding.services import prepare_embedders\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    prepare_embedders()\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--comments", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="skip the whole-process run")
    parser.add_argument("--seeds", type=int, default=1,
                        help="also compare the ARIs over this many clustering seeds")
    args = parser.parse_args()
    compare(args.threads, args.repeats, OUT / "onnx", args.seeds)
    if not args.quick:
        whole_process(args.threads, args.comments, ["torch", "auto", "onnx-int8"])


if __name__ == "__main__":
    main()

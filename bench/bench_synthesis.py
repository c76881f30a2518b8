"""Synthesis engines on the labelled set and at scale.

    .venv/bin/python -m bench.bench_synthesis            # everything (about 10 minutes)
    .venv/bin/python -m bench.bench_synthesis --quick    # skip the 1,000,000-row run and ONNX

Quality: ARI and V-measure of `cluster` (number of themes estimated) per measure of
bench/data/labelled_comments.jsonl, beside KMeans told the true number of themes, with the real
model and with the hashing fake. Speed: embedding throughput of the pipeline against raw
model.encode, the ONNX Runtime path if installed, campaign detection on 100,000 texts, 10,000
comment vectors clustered, and two_stage_cluster on 1,000,000 vectors in a child process whose
peak RSS is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, v_measure_score

from app.embedding.engine import HashingEmbedder, SentenceTransformerEmbedder
from app.synthesis.clustering import cluster, two_stage_cluster
from app.synthesis.duplicates import find_duplicate_groups, independent_voices

DATA = Path(__file__).parent / "data" / "labelled_comments.jsonl"


def load_rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def quality(rows: list[dict], vectors: np.ndarray, name: str) -> None:
    print(f"\n## Themes with {name}: cluster (k estimated) vs KMeans told the true k")
    header = ("scope", "n", "true k", "est k", "ARI", "V", "ref ARI", "ref V")
    print(f"{header[0]:<22}" + "".join(f"{h:>8}" for h in header[1:]))
    scopes = sorted({r["measure"] for r in rows}) + ["(all measures)"]
    for scope in scopes:
        idx = [i for i, r in enumerate(rows) if scope in (r["measure"], "(all measures)")]
        result = cluster(vectors[idx], [rows[i]["text"] for i in idx])
        real = [j for j, i in enumerate(idx) if rows[i]["theme"] != "none"]
        truth = [rows[idx[j]]["theme"] for j in real]
        found = [result.labels[j] for j in real]  # -1 counts as one more "theme"
        k_true = len(set(truth))
        reference = KMeans(k_true, n_init=10, random_state=0).fit_predict(
            vectors[[idx[j] for j in real]]
        )
        scores = [
            adjusted_rand_score(truth, found),
            v_measure_score(truth, found),
            adjusted_rand_score(truth, reference),
            v_measure_score(truth, reference),
        ]
        print(
            f"{scope:<22}{len(idx):>8}{k_true:>8}{result.k:>8}"
            + "".join(f"{score:>8.2f}" for score in scores)
        )
    none = {i for i, r in enumerate(rows) if r["theme"] == "none"}
    unassigned = set()
    for scope in sorted({r["measure"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["measure"] == scope]
        labels = cluster(vectors[idx], [rows[i]["text"] for i in idx]).labels
        unassigned |= {i for i, label in zip(idx, labels, strict=True) if label == -1}
    print(
        f"unassigned: {len(unassigned)} rows, {len(unassigned & none)} of them content-free "
        f"(labelled set has {len(none)} content-free rows)"
    )


def throughput(embedder: SentenceTransformerEmbedder, texts: list[str]) -> None:
    print(f"\n## Embedding throughput ({len(texts)} texts, batch 64, {os.cpu_count()} cores)")
    embedder.encode(texts[:64])  # warm-up
    _, raw = timed(
        embedder._model.encode,
        texts,
        batch_size=64,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    _, ours = timed(embedder.encode, texts, batch_size=64, progress=lambda done, total: None)
    print(f"raw model.encode      {len(texts) / raw:8.1f} texts/s  (baseline)")
    print(f"Embedder.encode       {len(texts) / ours:8.1f} texts/s  time {ours / raw:.2f}x raw")
    hashing = HashingEmbedder()
    _, fake = timed(hashing.encode, texts)
    print(f"HashingEmbedder       {len(texts) / fake:8.1f} texts/s  time {fake / raw:.3f}x raw")


def onnx_path(embedder: SentenceTransformerEmbedder, texts: list[str]) -> None:
    print("\n## ONNX Runtime path (fp32 export of the same model)")
    try:
        import onnxruntime
        import torch
    except ImportError as error:
        print(f"skipped: {error}")
        return
    model = embedder._model
    bert, tokenizer = model[0].auto_model, model.tokenizer
    sample = tokenizer(texts[:2], padding=True, return_tensors="pt")

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    path = "/tmp/plenary-minilm.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Encoder(bert).eval(),
                tuple(sample[n] for n in names),
                path,
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
    except Exception as error:  # the exporter needs the `onnx` package
        print(f"skipped: export failed: {error}")
        return
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def encode(batch: list[str]) -> np.ndarray:
        order = sorted(range(len(batch)), key=lambda i: -len(batch[i]))  # as model.encode does
        out = np.empty((len(batch), 384), dtype=np.float32)
        for start in range(0, len(batch), 64):
            chunk = order[start : start + 64]
            enc = tokenizer(
                [batch[i] for i in chunk],
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="np",
            )
            hidden = session.run(None, {n: enc[n].astype(np.int64) for n in names})[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[chunk] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    encode(texts[:64])
    reference, torch_time = timed(embedder.encode, texts)
    vectors, onnx_time = timed(encode, texts)
    cosines = np.einsum("ij,ij->i", reference, vectors)
    print(
        f"onnxruntime {onnxruntime.__version__}: {len(texts) / onnx_time:.1f} texts/s, PyTorch "
        f"{len(texts) / torch_time:.1f} texts/s (baseline): ONNX time {onnx_time / torch_time:.2f}x"
        f" PyTorch; cosine to PyTorch vectors min {cosines.min():.6f} mean {cosines.mean():.6f}"
    )


def campaigns(rows: list[dict]) -> None:
    print("\n## Campaign detection")
    texts = [r["text"] for r in rows]
    truth = {i for i, r in enumerate(rows) if r.get("campaign")}
    groups = find_duplicate_groups(texts)
    found = {m for g in groups for m in g.members}
    print(
        f"labelled set: {len(groups)} group(s), {len(found & truth)}/{len(truth)} campaign "
        f"letters found, {len(found - truth)} false members; "
        f"{independent_voices(len(texts), groups)} independent voices of {len(texts)} comments"
    )
    rng = random.Random(0)
    vocabulary = sorted({w for t in texts for w in t.split()})
    many = [" ".join(rng.choices(vocabulary, k=rng.randint(12, 80))) for _ in range(99_000)]
    letters = [t for t in texts if len(t.split()) > 40][:5]
    for letter in letters:
        for _ in range(200):
            words = letter.split()
            words.insert(rng.randrange(len(words)), rng.choice(vocabulary))
            many.append(" ".join(words))
    rng.shuffle(many)
    _, exact = timed(lambda: Counter(" ".join(t.lower().split()) for t in many))
    groups, took = timed(find_duplicate_groups, many)
    sizes = sorted((len(g.members) for g in groups), reverse=True)[:6]
    print(
        f"100,000 texts: {took:.1f} s ({took / exact:.0f}x an exact-match pass of {exact:.2f} s); "
        f"largest groups {sizes} (5 campaigns of 200 planted)"
    )


def synthetic_comments(rows: list[dict], vectors: np.ndarray, n: int, seed: int = 0):
    """n vectors spread over the labelled themes: each a random blend of two real comments of
    one theme plus a little noise, so a theme is a region, not a few tight points."""
    rng = np.random.default_rng(seed)
    by_theme: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r["theme"] != "none":
            by_theme.setdefault(r["theme"], []).append(i)
    themes = sorted(by_theme)
    picked = rng.integers(0, len(themes), n)
    first = np.array([rng.choice(by_theme[themes[t]]) for t in picked])
    second = np.array([rng.choice(by_theme[themes[t]]) for t in picked])
    share = rng.random((n, 1)).astype(np.float32)
    noise = rng.standard_normal((n, vectors.shape[1])).astype(np.float32) * 0.02
    blend = share * vectors[first] + (1 - share) * vectors[second] + noise
    blend /= np.linalg.norm(blend, axis=1, keepdims=True)
    return blend, [themes[t] for t in picked], [rows[i]["text"] for i in first]


def ten_thousand(rows: list[dict], vectors: np.ndarray) -> None:
    print("\n## 10,000 comment vectors (blends of real labelled vectors of one theme)")
    noisy, truth, texts = synthetic_comments(rows, vectors, 10_000)
    k_true = len(set(truth))
    _, reference = timed(lambda: KMeans(k_true, n_init=1, random_state=0).fit(noisy))
    result, took = timed(cluster, noisy, texts)
    print(
        f"cluster: {took:.2f} s, k={result.k} (true {k_true}), "
        f"ARI {adjusted_rand_score(truth, result.labels):.2f}; "
        f"ratio {took / reference:.1f}x one KMeans told k ({reference:.2f} s)"
    )


def million(n: int = 1_000_000, k: int = 30, dim: int = 384) -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((k, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, k, n)
    vectors = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 20_000):
        stop = min(n, start + 20_000)
        block = (
            centres[truth[start:stop]]
            + rng.standard_normal((stop - start, dim), np.float32) * 0.038
        )
        vectors[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    before = peak_rss_gb()
    result, took = timed(two_stage_cluster, vectors)
    print(
        f"two_stage_cluster on {n:,} x {dim} float32 ({vectors.nbytes / 1024**3:.2f} GB of "
        f"vectors, {k} planted themes): {took:.1f} s, k={result.k}, "
        f"ARI {adjusted_rand_score(truth, result.labels):.3f}; peak RSS {peak_rss_gb():.2f} GB "
        f"(after generating the data: {before:.2f} GB; limit 4 GB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 1M run and ONNX")
    parser.add_argument("--million-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.million_only:
        million()
        return
    rows = load_rows()
    texts = [r["text"] for r in rows]
    print(
        f"labelled set: {len(rows)} comments, {len({r['theme'] for r in rows}) - 1} themes, "
        f"{len({r['measure'] for r in rows})} measures"
    )
    embedder, load = timed(SentenceTransformerEmbedder)
    print(f"model {embedder.name} (dim {embedder.dim}) loaded in {load:.1f} s")
    real = embedder.encode(texts)
    quality(rows, real, embedder.name)
    quality(rows, HashingEmbedder().encode(texts), "HashingEmbedder (fake)")
    throughput(embedder, texts * 4)
    if not args.quick:
        onnx_path(embedder, texts * 4)
    campaigns(rows)
    ten_thousand(rows, real)
    if not args.quick:
        print("\n## 1,000,000 vectors (child process, so its peak RSS is its own)")
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, "-m", "bench.bench_synthesis", "--million-only"], check=True
        )


if __name__ == "__main__":
    main()

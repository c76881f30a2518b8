"""A million comments in one measure, through the real synthesis pipeline and database.

    .venv/bin/python -m bench.bench_million                 # 1,000,000 comments (baseline 50,000)
    .venv/bin/python -m bench.bench_million --quick         # 50,000 comments (baseline 10,000)
    .venv/bin/python -m bench.bench_million --postgres      # on PostgreSQL (PLENARY_BENCH_PG_URL)
    .venv/bin/python -m bench.bench_million --db URL        # reuse a database loaded before

Data: the hand-written consultation set (bench/data/consultation, ten measures, 56 themes,
campaigns and noise) pooled into one measure and recombined as `consultation_data` does: each
new comment joins sentences of two or three comments of one theme; noise and campaign letters
repeat whole. Every comment's theme is kept in its `external_id` so the run can be scored (ARI).

Vectors: embedding a million texts with the real model takes about an hour on this 2-core
machine, so the bench embeds every sentence of the set (and every whole row) with the real
model once (bench/out, cached) and gives a recombined comment the normalised mean of its
sentences' vectors; those go into the embedding cache under the model's name, so the run finds
every vector cached, as a re-run does. Embedding throughput itself is measured by
bench_embedding; a first run's time is this run's plus n / that throughput.

The loads use multi-row INSERTs. Each synthesis (`run_synthesis`, the code path of `plenary
synthesise`) runs in a child process of its own so that its peak RSS (getrusage) is its own;
the child prints wall time per stage. The baseline scope is synthesised in the same run and the
per-comment time of the large scope is printed as a ratio of the baseline's (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.consultation_data import _SENTENCE, NOISE, load_consultation, recombine

OUT = Path(__file__).parent / "out"
PG_URL = os.environ.get("PLENARY_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/h_million")
LOAD_BATCH = 5000


def _app(url: str):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.config import config_for_tests

    return create_app(config_for_tests(url, PLENARY_FAKE_EMBEDDER=False,
                                       PLENARY_EMBEDDING_CACHE=str(OUT / "models")))


def sentence_vectors(rows: list[dict]) -> dict[str, np.ndarray]:
    """Real-model vectors of every whole row and every sentence of the set."""
    from bench.vector_cache import CachedEmbedder

    texts = {r["text"] for r in rows}
    for row in rows:
        texts.update(s for s in _SENTENCE.split(row["text"]) if s.strip())
    ordered = sorted(texts)
    embedder = CachedEmbedder()
    vectors = embedder.encode(ordered)
    embedder.save()
    return dict(zip(ordered, vectors, strict=True))


def comments(rows: list[dict], vectors: dict[str, np.ndarray], n: int,
             seed: int) -> Iterator[tuple[dict, np.ndarray]]:
    """`recombined_scope` over all measures pooled, as a generator, with each comment's
    vector (the mean of its sentences' vectors, normalised)."""
    rng = random.Random(seed)
    by_theme: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        if row["theme"] != NOISE and not row["campaign"]:
            sentences = [s for s in _SENTENCE.split(row["text"]) if s.strip()]
            by_theme.setdefault((row["measure"], row["theme"]), []).append(sentences)
    for i in range(n):
        base = rows[i] if i < len(rows) else rng.choice(rows)
        if i < len(rows) or base["theme"] == NOISE or base["campaign"]:
            yield base, vectors[base["text"]]
            continue
        donors = by_theme[(base["measure"], base["theme"])]
        parts = recombine(donors, rng)
        mean = np.mean([vectors[p] for p in parts], axis=0)
        yield dict(base, text=" ".join(parts)), (mean / np.linalg.norm(mean)).astype(np.float32)


def load(url: str, scopes: dict[str, int], model: str) -> float:
    """Create the schema and load each measure's comments and their cached vectors."""
    from sqlalchemy import insert, text

    from app.accounts.models import User
    from app.core.db import db
    from app.drafting.models import Code, Provision, Round
    from app.embedding.engine import text_hash
    from app.embedding.models import EmbeddingCache
    from app.feedback.models import Comment

    _, rows = load_consultation()
    vectors = sentence_vectors(rows)
    start = time.perf_counter()
    with _app(url).app_context():
        db.drop_all()
        db.create_all()
        round_ = Round(code=Code(slug="bench", title="Bench code"), number=1, name="Draft",
                       visibility="public", levels=["measure"])
        db.session.add(round_)
        for position, key in enumerate(scopes):
            db.session.add(Provision(round=round_, key=key, kind="measure", depth=1,
                                     position=position, label=key, number=str(position + 1),
                                     title="General-purpose AI models", body="", body_html="",
                                     text="Providers of general-purpose AI models shall ..."))
        authors = {}
        for category in sorted({r["category"] for r in rows}):
            authors[category] = User(email=f"{category}@example.org", name=category,
                                     category=category, password_hash="x")
            db.session.add(authors[category])
        db.session.flush()
        provisions = {p.key: p.id for p in db.session.query(Provision)}
        seen: set[bytes] = set()
        for key, n in scopes.items():
            batch, cache = [], []
            for made, (row, vector) in enumerate(comments(rows, vectors, n, seed=n), start=1):
                batch.append({"round_id": round_.id, "provision_id": provisions[key],
                              "author_id": authors[row["category"]].id, "body": row["text"],
                              "stance": row["stance"],
                              "external_id": f"{key}:{made}:{row['measure']}/{row['theme']}"})
                digest = text_hash(row["text"])
                if digest.encode() not in seen:
                    seen.add(digest.encode())
                    cache.append({"model": model, "text_hash": digest,
                                  "vector": vector.tobytes()})
                if len(batch) >= LOAD_BATCH or made == n:
                    db.session.execute(insert(Comment), batch)
                    if cache:
                        db.session.execute(insert(EmbeddingCache), cache)
                    batch, cache = [], []
            db.session.commit()
            print(f"loaded {n:,} comments into {key} ({time.perf_counter() - start:.0f} s)",
                  flush=True)
        # Statistics, as autovacuum would gather within a minute: without them PostgreSQL's
        # generic plan for the cache lookup (prepared by psycopg after five runs) scans the
        # whole table, 0.3 s per 500 hashes.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - start


def synthesise(url: str, key: str) -> dict:
    """In this process: run the real synthesis of measure `key`, timing each stage."""
    from sklearn.metrics import adjusted_rand_score
    from sqlalchemy import func, select

    from app.core.db import db
    from app.drafting.models import Round
    from app.embedding.services import get_embedder
    from app.feedback.models import Comment
    from app.synthesis import bulk, large_figures, scale
    from app.synthesis.models import CampaignGroup, ThemeMember
    from app.synthesis.services import run_synthesis

    stages: dict[str, float] = {}
    peaks: dict[str, float] = {}  # peak RSS (MB) when each stage ended

    def timed(module, name: str, label: str) -> None:  # type: ignore[no-untyped-def]
        original = getattr(module, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - start
                peaks[label] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        setattr(module, name, wrapper)

    timed(bulk, "read_scope", "read+vectors (streamed)")
    timed(scale, "isolated_rows", "noise (isolated)")
    timed(scale, "campaigns", "campaigns (MinHash bands)")
    timed(scale, "two_stage_themes", "themes (two stages)")
    timed(bulk, "_store_campaigns", "write campaigns")
    timed(large_figures, "describe_themes", "titles+summaries (model)")
    timed(bulk, "fill_figures", "figures (sampled)")
    timed(bulk, "store_large", "_store")
    with _app(url).app_context():
        embedder = get_embedder()
        embedder.encode(["warm up the model"])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        round_ = db.session.scalars(select(Round)).one()
        start = time.perf_counter()
        run = run_synthesis(round_, provision=key, embedder=embedder)
        db.session.commit()
        total = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if "figures (sampled)" in stages:
            stages["figures (sampled)"] -= stages.get("titles+summaries (model)", 0.0)
        inner = sum(v for k, v in stages.items() if k not in ("_store", "read+vectors (streamed)"))
        if "_store" in stages:
            stages["identities+write members"] = stages.pop("_store") - inner
        pairs = db.session.execute(
            select(ThemeMember.theme_id, Comment.external_id)
            .join(Comment, Comment.id == ThemeMember.comment_id)
            .where(ThemeMember.run_id == run.id)).all()
        truth = [t.split(":", 2)[2] for _, t in pairs]
        found = [-1 if theme is None else theme for theme, _ in pairs]
        titles = [t.display_label for t in sorted(run.themes, key=lambda t: t.position)[:5]]
        return {"key": key, "n": run.comment_count, "themes": len(run.themes),
                "campaigns": db.session.scalar(select(func.count(CampaignGroup.id))
                                              .where(CampaignGroup.run_id == run.id)),
                "total": total, "stages": stages, "peaks": peaks,
                "rss_before_mb": before, "peak_mb": peak, "message": run.message,
                "ari": adjusted_rand_score(truth, found), "titles": titles}


def child(url: str, key: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_million", "--child", key,
                          "--url", url], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"synthesis of {key} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict, base: dict | None) -> None:
    n = result["n"]
    print(f"\n## {result['key']}: {n:,} comments, {result['themes']} themes, "
          f"{result['campaigns']} campaigns, ARI vs true themes {result['ari']:.2f}")
    for stage, seconds in result["stages"].items():
        peak = result["peaks"].get(stage)
        print(f"  {stage:<30}{seconds:>9.1f} s" + (f"   peak RSS by then {peak:,.0f} MB"
                                                   if peak else ""))
    print(f"  {'total (run_synthesis)':<30}{result['total']:>9.1f} s "
          f"({result['total'] / n * 1e6:.0f} µs per comment)")
    print(f"  peak RSS {result['peak_mb']:,.0f} MB (process with the model loaded: "
          f"{result['rss_before_mb']:,.0f} MB before the run)")
    print(f"  {result['message']}")
    print(f"  largest themes: {'; '.join(result['titles'])}")
    if base is not None:
        ratio = (result["total"] / n) / (base["total"] / base["n"])
        print(f"  time per comment vs {base['n']:,}-comment baseline: {ratio:.2f} "
              f"(1.00 = linear); peak RSS ratio {result['peak_mb'] / base['peak_mb']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="50,000 comments")
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--baseline", type=int, default=None)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--db", help="a database loaded by an earlier run: skip the load")
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(synthesise(args.url, args.child)))
        return
    n = args.n or (50_000 if args.quick else 1_000_000)
    baseline = args.baseline or (10_000 if args.quick else 50_000)
    print(f"uptime at start: {os.popen('uptime').read().strip()}", flush=True)
    from app.embedding.engine import _model_name, default_model_path

    model = _model_name(Path(default_model_path()))
    with tempfile.TemporaryDirectory(dir=OUT if OUT.is_dir() else None) as folder:
        url = args.db or (PG_URL if args.postgres else f"sqlite:///{folder}/million.db")
        scopes = {f"m-{baseline}": baseline, f"m-{n}": n}
        if not args.db:
            seconds = load(url, scopes, model)
            print(f"loaded in {seconds:.0f} s on {url.split(':')[0]}", flush=True)
        base = child(url, f"m-{baseline}")
        report(base, None)
        big = child(url, f"m-{n}")
        report(big, base)
    print(f"\nuptime at end: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()

"""One large synthesis run with one and with two `plenary worker` processes on Redis.

    .venv/bin/python -m bench.bench_fanout                  # 100,000 comments (20-40 minutes)
    .venv/bin/python -m bench.bench_fanout --quick          # 10,000 comments
    .venv/bin/python -m bench.bench_fanout --database-url postgresql+psycopg://.../scratch
    .venv/bin/python -m bench.bench_fanout --embed-only     # stop when the last chunk is stored
    .venv/bin/python -m bench.bench_fanout --group-only     # the 10,000-comment group synthesis

The comments are short ones recombined from bench/data/consultation (bench/consultation_data.py)
over ten measures of one round; the run covers the whole round. Each configuration starts
with an empty vector cache and its own `plenary worker` processes (real Huey consumers on
Redis, the real model on the adopted ONNX path, built once beforehand), queues the run as a
chair's page does, and waits for it. The cores are the same in both: one worker process with
2 model threads, or two worker processes with 1 thread each (PLENARY_EMBEDDING_THREADS). What
the ratio measures is the cost of the fan-out itself on one machine (chunks, claims, the
cache writes of two processes, the waiting); docs/deploy.md turns the figures into the time
for 4.6 million comments on ten machines.

Printed per configuration: wall time from queueing to "done", its embedding part (first
chunk claimed to last chunk done) and the rest (reading, clustering, titles, storing),
comments per second, and how many chunks each process embedded; then the ratio of the two
configurations' times. The machine's load (`uptime`) is printed before each configuration.

The database is a scratch one: its tables are dropped and created (a temporary SQLite file by
default). Redis database 7 is flushed before each configuration.

From PLENARY_SYNTHESIS_LARGE_FROM comments (20,000) the run is a large scope: its chunks are
ranges of PLENARY_EMBED_CHUNK comments by id rather than lists of distinct texts
(docs/synthesis.md, "Large scopes across workers").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from app import create_app
from app.accounts.models import User, WorkingGroup
from app.core.db import db, sqlite_write_intent
from app.core.tasks import init_tasks
from app.drafting.models import Code, Provision, Round
from app.embedding.models import EmbeddingCache
from app.feedback.models import Comment
from bench.consultation_data import load_consultation, recombined_scope

ROOT = Path(__file__).resolve().parents[1]
PREPARE = ("from app import create_app\nfrom app.embedding.services import prepare_embedders\n"
           "app = create_app()\nwith app.app_context():\n    prepare_embedders()\n")


def environment(url: str, redis: str, instance: Path, threads: int, chunk: int) -> dict:
    return dict(os.environ, DATABASE_URL=url, REDIS_URL=redis, PLENARY_INSTANCE_PATH=str(instance),
                PLENARY_EMBEDDING_CACHE=str(instance / "models"), PLENARY_SQLITE_CREATE="1",
                PLENARY_EMBEDDING_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                PLENARY_EMBED_CHUNK=str(chunk), PLENARY_EMBED_FANOUT_ABOVE=str(chunk),
                PYTHONPATH=str(ROOT))


def seed(count: int, group: WorkingGroup | None = None) -> Round:
    """A round of ten measures (one per consultation file, all of `group`) with `count`
    comments."""
    measures, rows = load_consultation()
    keys = sorted(measures)
    scope = recombined_scope(rows, keys, count)
    code = Code(slug="fanout", title="Fan-out bench")
    round_ = Round(code=code, number=1, name="Draft", visibility="public", levels=["measure"])
    provisions = {key: Provision(round=round_, key=key, kind="measure", depth=1, position=i,
                                 label=f"Measure {i + 1}", number=str(i + 1), title=key,
                                 body=measures[key].provision, body_html="",
                                 text=measures[key].provision, group=group)
                  for i, key in enumerate(keys)}
    authors = [User(email=f"p{i}@example.org", name=f"P {i}", category=c)
               for i, c in enumerate(["industry", "civil_society", "academia", "sme"] * 50)]
    db.session.add_all([code, round_, *provisions.values(), *authors])
    db.session.flush()
    for start in range(0, len(scope), 5000):
        db.session.execute(insert(Comment), [
            {"round_id": round_.id, "provision_id": provisions[row["measure"]].id,
             "author_id": authors[(start + i) % len(authors)].id, "body": row["text"],
             "stance": row["stance"]}
            for i, row in enumerate(scope[start : start + 5000])])
    db.session.commit()
    return round_


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def one_configuration(app, round_id: int, workers: int, threads: int, env_of,
                      embed_only: bool = False) -> dict:
    """Queue a run of the whole round with `workers` worker processes; its figures."""
    import redis

    from app.synthesis.models import SynthesisChunk, SynthesisRun
    from app.synthesis.services import create_run
    from app.synthesis.tasks import queue_synthesis

    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    db.session.execute(delete(EmbeddingCache))
    db.session.commit()
    print(f"\n## {workers} worker process(es), {threads} model thread(s) each; {uptime()}")
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--workers", "1"],
                              env=env_of(threads), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        time.sleep(8)  # the workers import the app and connect
        run_id = create_run(db.session.get(Round, round_id)).id
        db.session.commit()
        start = time.monotonic()
        queue_synthesis(db.session.get(SynthesisRun, run_id))
        db.session.commit()  # a SQLite transaction left open would hold the write lock
        shown = -1
        sqlite_write_intent.set(False)  # the polls only read: BEGIN DEFERRED on SQLite
        while True:
            time.sleep(2)
            status, done, total = db.session.execute(
                select(SynthesisRun.status, SynthesisRun.progress_done,
                       SynthesisRun.progress_total).where(SynthesisRun.id == run_id)).one()
            db.session.commit()
            percent = 100 if status == "done" else int(100 * done / total) if total else 0
            if percent // 10 != shown:
                shown = percent // 10
                print(f"  {time.monotonic() - start:7.1f} s  {status:<8} {percent:3d} %",
                      flush=True)
            if status in ("done", "failed"):
                break
            if embed_only and _embedded(run_id):
                status = "embedded"
                break
        wall = time.monotonic() - start
    finally:
        sqlite_write_intent.set(True)
        for proc in procs:  # with --embed-only, the run's clustering is cut short here
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    run = db.session.get(SynthesisRun, run_id)
    chunks = list(db.session.scalars(select(SynthesisChunk).where(SynthesisChunk.run_id == run_id)))
    by = Counter((c.claimed_by or "?").split(":")[1] for c in chunks)
    embed = (max(c.done_at for c in chunks) - run.created_at).total_seconds() if chunks else 0.0
    n = run.comment_count or db.session.scalar(  # a large scope counts them once read
        select(func.count(Comment.id)).where(Comment.round_id == run.round_id))
    message = run.message if status != "embedded" else "(stopped)"
    db.session.commit()
    print(f"  status {status}: {message[:90]}")
    print(f"  wall {wall:.1f} s, {n / wall:.1f} comments/s; embedding (queued to last chunk "
          f"done) {embed:.1f} s, {n / max(embed, 1e-9):.1f} comments/s; the rest "
          f"{wall - embed:.1f} s")
    print(f"  {len(chunks)} chunks; chunks per process (pid: count): {dict(by)}")
    return {"wall": wall, "embed": embed, "rest": wall - embed, "comments": n}


def group_scope(count: int, models: Path) -> None:
    """`plenary synthesise --group` of a working group with `count` comments, cold cache, no
    worker (the process embeds every chunk itself): wall time and the process's peak RSS."""
    import resource

    from app.config import config_for_tests

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/group.db"
        app = create_app(config_for_tests(url))
        with app.app_context():
            db.create_all()
            seed(count, WorkingGroup(slug="wg1", name="Working group 1"))
        env = environment(url, "", Path(folder), 2, 2000)
        env.pop("REDIS_URL")
        env["PLENARY_EMBEDDING_CACHE"] = str(models)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu = used.ru_maxrss, used.ru_utime + used.ru_stime
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "app.cli", "synthesise", "--code", "fanout",
                               "--round", "1", "--group", "wg1"], env=env, cwd=ROOT,
                              capture_output=True, text=True)
        wall = time.monotonic() - start
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = used.ru_maxrss / 1024**2, used.ru_utime + used.ru_stime - cpu
        print(f"\n## Working-group scope: `plenary synthesise --group` of {count:,} comments, "
              f"cold cache, no worker; {uptime()}")
        print(f"  wall {wall:.1f} s (goal 45 s), CPU {cpu:.1f} s (all threads; on a shared "
              f"machine the steadier figure), peak RSS {peak:.2f} GB (goal 1 GB; children's "
              f"peak before: {before / 1024**2:.2f} GB); exit {done.returncode}: "
              f"{(done.stdout or done.stderr).strip().splitlines()[-1][:90]}")


def _embedded(run_id: int) -> bool:
    """Every chunk of the run is done (and there are chunks)."""
    from app.synthesis.models import SynthesisChunk

    chunks, left = db.session.execute(
        select(func.count(), func.count().filter(SynthesisChunk.done_at.is_(None)))
        .where(SynthesisChunk.run_id == run_id)).one()
    db.session.commit()
    return bool(chunks) and not left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 comments")
    parser.add_argument("--chunk", type=int, default=2000, help="texts per chunk")
    parser.add_argument("--database-url", default=None,
                        help="a scratch database (its tables are dropped); default: SQLite file")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--group-only", action="store_true",
                        help="only the 10,000-comment working-group synthesis")
    parser.add_argument("--embed-only", action="store_true",
                        help="stop each configuration when every chunk is done (no clustering)")
    args = parser.parse_args()
    count = 10_000 if args.quick else args.comments
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
        models = Path(os.environ.get("PLENARY_EMBEDDING_CACHE") or ROOT / "bench/out/models")

        def env_of(threads: int) -> dict:
            env = environment(url, args.redis, instance, threads, args.chunk)
            env["PLENARY_EMBEDDING_CACHE"] = str(models)
            return env

        if args.group_only:
            group_scope(10_000, models)
            return
        os.environ.update({k: v for k, v in env_of(2).items() if k.startswith(("DATABASE", "REDIS",
                                                                                "PLENARY_"))})
        app = create_app()
        with app.app_context():
            init_tasks(app)
            db.drop_all()
            db.create_all()
            took = time.monotonic()
            round_id = seed(count).id
            print(f"{count:,} comments over 10 measures stored in {time.monotonic() - took:.1f} s "
                  f"({url.split('://')[0]}); chunks of {args.chunk}; {os.cpu_count()} cores")
            subprocess.run([sys.executable, "-c", PREPARE], env=env_of(2), cwd=ROOT, check=True,
                           capture_output=True)  # build the ONNX file once, untimed
            one = one_configuration(app, round_id, 1, 2, env_of, args.embed_only)
            two = one_configuration(app, round_id, 2, 1, env_of, args.embed_only)
            print(f"\n## two processes / one process (same two cores); {uptime()}")
            for key in ("wall", "embed", "rest")[: 2 if args.embed_only else 3]:
                print(f"  {key:<6} {one[key]:8.1f} s -> {two[key]:8.1f} s   ratio "
                      f"{two[key] / max(one[key], 1e-9):.2f}")
            print(f"  throughput ratio (two / one, wall): {one['wall'] / two['wall']:.2f}x")
            db.drop_all()
        group_scope(10_000, models)


if __name__ == "__main__":
    main()

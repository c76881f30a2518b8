"""A large run across two real `plenary worker` processes: Huey consumers on Redis sharing one
database (a file on SQLite, a database of its own on PostgreSQL), the run queued as a chair's
page queues it. Everything runs in processes of its own, so the suite's app and queue are left
alone.

The first test embeds with the HashingEmbedder FAKE (what is checked is who embeds what, not
what the vectors mean, and two model loads would add seconds); the second uses the real model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PLENARY_TEST_FANOUT_REDIS_URL", "redis://127.0.0.1:6379/7")

APP = """
from app import create_app
from app.config import config_for_tests
app = create_app(config_for_tests({url!r}, HUEY_IMMEDIATE=False, REDIS_URL={redis!r},
                 PLENARY_FAKE_EMBEDDER={fake!r}, PLENARY_EMBEDDING_CACHE={cache!r},
                 PLENARY_EMBED_FANOUT_ABOVE=10, PLENARY_EMBED_CHUNK={chunk},
                 PLENARY_SYNTHESIS_LARGE_FROM={large}))
"""
WORKER = APP + """
from huey.consumer import Consumer
from app.core.tasks import huey
from app.synthesis import tasks
import os
import time
if {fake!r}:
    # The fake embeds a chunk in microseconds: one worker could take every chunk before the
    # other polls (seen with the two test passes side by side). A real chunk takes a while;
    # so does this one, and both workers get chunks.
    from app.embedding import engine
    _encode = engine.HashingEmbedder.encode
    def _as_if_embedding(self, texts, **options):
        time.sleep(0.05)
        return _encode(self, texts, **options)
    engine.HashingEmbedder.encode = _as_if_embedding
consumer = Consumer(huey, workers=1, worker_type="thread", max_delay=0.2)  # polls while idle
print("ready", flush=True)
# Later output (a model build's messages) goes nowhere: the test reads only the first line,
# and a closed stdout would make the worker's first print raise.
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
consumer.run()
"""
QUEUE = APP + """
from app.accounts.models import User
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.synthesis.services import create_run
from app.synthesis.tasks import queue_synthesis
TOPICS = ["documentation updates every six months", "simplified reporting forms for SMEs",
          "a public summary of copyrighted training data", "independent audits of safety"]
with app.app_context():
    db.create_all()
    code = Code(slug="fan", title="Fan")
    round_ = Round(code=code, number=1, name="Draft", visibility="public", levels=["measure"])
    provision = Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                          label="Measure 1", number="1", title="Measure", body="Text.",
                          body_html="", text="Text.")
    author = User(email="a@example.org", name="A", category="industry")
    db.session.add_all([code, round_, provision, author])
    for i in range({count}):
        body = f"We ask for {{TOPICS[i % 4]}}, point {{i}} of our members' submission."
        db.session.add(Comment(round=round_, provision=provision, author=author, body=body))
    db.session.commit()
    run = create_run(round_)
    db.session.commit()
    queue_synthesis(run)
    print(run.id)
"""


def _python(code: str, **kwargs: Any) -> Any:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "PLENARY_EMBEDDING_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def _fan_out_with_two_workers(url: str, app: Any, *, fake: bool, count: int, chunk: int,
                              timeout: float, large: int = 10**9
                              ) -> tuple[str, str, dict[str, int], int, int]:
    """Queue a run of `count` comments, let two worker processes run it; (status, message,
    chunks per worker process, chunks done, cached vectors). Scopes of `large` comments or more
    take the large path (ranges of comment ids)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = {"url": url, "redis": REDIS_URL, "fake": fake, "chunk": chunk, "large": large,
                "cache": app.config.get("PLENARY_EMBEDDING_CACHE")}
    workers = [_python(WORKER.format(**settings)) for _ in range(2)]
    for worker in workers:  # both consumers listening before the run is queued (a loaded
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()  # machine)
    queued = _python(QUEUE.format(count=count, **settings))
    out, err = queued.communicate(timeout=120)
    assert queued.returncode == 0, err
    run_id = int(out.split()[-1])
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        status = "queued"
        while status not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            with engine.connect() as connection:
                status = connection.execute(text("SELECT status FROM synthesis_runs WHERE id = :i"),
                                            {"i": run_id}).scalar_one()
        with engine.connect() as connection:
            message = connection.execute(text("SELECT message FROM synthesis_runs WHERE id = :i"),
                                         {"i": run_id}).scalar_one()
            chunks = connection.execute(text(
                "SELECT claimed_by, done_at FROM synthesis_chunks WHERE run_id = :i"),
                {"i": run_id}).all()
            cached = connection.execute(text("SELECT count(*) FROM embedding_caches")).scalar_one()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        engine.dispose()
        redis.Redis.from_url(REDIS_URL).flushdb()
    pids = Counter(claimed.split(":")[1] for claimed, _ in chunks)
    return status, message, dict(pids), sum(1 for _, d in chunks if d is not None), cached


def test_two_worker_processes_share_a_large_run(fresh_database_url: str, app: Any) -> None:
    status, message, per_worker, done, cached = _fan_out_with_two_workers(
        fresh_database_url, app, fake=True, count=400, chunk=8, timeout=120)
    assert status == "done", message
    assert done == 50 and sum(per_worker.values()) == 50
    assert len(per_worker) == 2, per_worker  # both processes embedded chunks
    assert cached == 400


def test_two_worker_processes_share_a_large_scope_range_by_range(fresh_database_url: str,
                                                                 app: Any) -> None:
    status, message, per_worker, done, cached = _fan_out_with_two_workers(
        fresh_database_url, app, fake=True, count=400, chunk=8, timeout=120, large=100)
    assert status == "done", message
    assert "400 comments" in message
    assert done == 50 and sum(per_worker.values()) == 50  # ranges of 8 comments by id
    assert len(per_worker) == 2, per_worker  # both processes embedded ranges
    assert cached == 400


@pytest.mark.model
def test_two_worker_processes_share_a_run_with_the_real_model(fresh_database_url: str,
                                                                app: Any) -> None:
    status, message, per_worker, done, cached = _fan_out_with_two_workers(
        fresh_database_url, app, fake=False, count=120, chunk=16, timeout=300)
    assert status == "done", message
    assert done == 8 and sum(per_worker.values()) == 8
    assert cached == 120

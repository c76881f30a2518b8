"""Durability (issue 7, points 3 and 6): the database locked or gone answers 503 and recovers
without a restart; Redis down loses neither comments nor queued syntheses; gunicorn with four
workers on PostgreSQL and Redis stores every comment of a concurrent load.

Each test uses its own database (a temporary SQLite file, or a PostgreSQL database created
here), never the suite's rolled-back transaction; Redis-down checks run in fresh interpreters
because the Huey instance and the rate limiter's storage are process-wide.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from bench import loadkit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
DEAD_REDIS = "redis://127.0.0.1:6390/0"
LIVE_REDIS = os.environ.get("PLENARY_TEST_DURABILITY_REDIS_URL", "redis://127.0.0.1:6379/13")
API_PATH = "/api/v1/codes/dur/rounds/1/provisions/m-1/comments"
UNAVAILABLE = "briefly unavailable"


# --- helpers -----------------------------------------------------------------------------


def seed(app: Flask) -> dict[str, Any]:
    """A public open round with provision m-1, a participant with a password and a token."""
    with app.app_context():
        db.create_all()
        now = dt.datetime.now(dt.UTC)
        round_ = Round(code=Code(slug="dur", title="Durability"), number=1, name="Draft 1",
                       visibility="public", levels=["measure"],
                       opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
        provision = Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                              title="Records", body="Keep records.",
                              body_html="<p>Keep records.</p>", text="Keep records.",
                              search_text="records")
        db.session.add(provision)
        user = accounts.create_user("writer@example.org", "Wren Writer", password=PASSWORD)
        secret = accounts.create_token(user, "durability")[1]
        db.session.commit()
        return {"token": secret, "provision_id": provision.id}


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
                  for table in db.metadata.sorted_tables}
        db.session.remove()
        return counts


def comments_with(app: Flask, body: str) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(Comment.id)).where(Comment.body == body))
        db.session.remove()
        return int(count or 0)


def post_api(client: Any, token: str, body: str) -> Any:
    return client.post(API_PATH, json={"stance": "support", "body": body},
                       headers={"Authorization": f"Bearer {token}"})


def csrf_token(client: Any, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, f"no form on {path}"
    return match.group(1)


def assert_clear_503(response: Any, *, json: bool) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "OperationalError" not in text
    if json:
        assert UNAVAILABLE in response.get_json()["error"]
    else:
        assert response.mimetype == "text/html" and UNAVAILABLE in text


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- SQLite locked -----------------------------------------------------------------------


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[tuple[Flask, Path, dict[str, Any]]]:
    path = tmp_path / "locked.db"
    app = create_app(config_for_tests(f"sqlite:///{path}", PLENARY_SQLITE_BUSY_MS=200))
    data = seed(app)
    yield app, path, data
    dispose(app)


def test_sqlite_busy_timeout_comes_from_the_config_and_defaults_to_ten_seconds(sqlite_app,
                                                                               tmp_path):
    app, _, _ = sqlite_app
    default = create_app(config_for_tests(f"sqlite:///{tmp_path / 'default.db'}"))
    for application, expected in ((app, 200), (default, 10000)):
        with application.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == expected
    dispose(default)


def test_locked_sqlite_answers_api_503_saves_nothing_and_the_retry_is_stored(sqlite_app):
    app, path, data = sqlite_app
    client = app.test_client()
    before = row_counts(app)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        assert_clear_503(post_api(client, data["token"], "Written while locked."), json=True)
        assert client.get("/").status_code == 200  # readers go on (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert row_counts(app) == before
    retry = post_api(client, data["token"], "Written while locked.")  # same app, no restart
    assert retry.status_code == 201
    assert comments_with(app, "Written while locked.") == 1


def test_locked_sqlite_answers_the_comment_form_with_a_503_page_then_accepts_it(sqlite_app):
    app, path, data = sqlite_app
    client = app.test_client()
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"email": "writer@example.org", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    form_path = f"/feedback/provisions/{data['provision_id']}/comments"
    form = {"stance": "support", "body": "Posted from the form.",
            "csrf_token": csrf_token(client, form_path)}
    before = row_counts(app)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert_clear_503(client.post(form_path, data=form), json=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert row_counts(app) == before
    assert client.post(form_path, data=form).status_code in (200, 302, 303)
    assert comments_with(app, "Posted from the form.") == 1


# --- PostgreSQL unavailable --------------------------------------------------------------


class TcpGate:
    """A loopback TCP forwarder to PostgreSQL that can be shut (dropping every connection)
    and opened again on the same port: the database "goes away" and "comes back"."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = loadkit.free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def shut(self) -> None:
        with self.lock:
            if self.listener is not None:
                try:  # wakes the thread blocked in accept(), which close() alone does not
                    self.listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def pg_database() -> Iterator[str]:
    made = loadkit.create_pg_database("plenary_trust_durability")
    if made is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    url, name = made
    yield url
    loadkit.drop_pg_database(name)


def test_postgresql_on_a_closed_port_answers_503_pages_and_json_without_a_traceback():
    app = create_app(config_for_tests("postgresql+psycopg://postgres@127.0.0.1:1/plenary"))
    client = app.test_client()
    assert_clear_503(client.get("/"), json=False)
    assert_clear_503(client.get("/codes/dur/rounds/1"), json=False)
    assert_clear_503(client.get("/api/v1/codes"), json=True)
    assert_clear_503(post_api(client, "pln_nothing", "Into the void."), json=True)
    dispose(app)


def test_postgresql_going_away_answers_503_and_the_same_app_recovers_when_it_returns(
    pg_database,
):
    gate = TcpGate(("127.0.0.1", 5432))
    gate.open()
    url = pg_database.replace("127.0.0.1:5432", f"127.0.0.1:{gate.port}")
    app = create_app(config_for_tests(url))
    try:
        data = seed(app)
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert post_api(client, data["token"], "Before the outage.").status_code == 201
        gate.shut()
        assert_clear_503(client.get("/"), json=False)
        assert_clear_503(client.get("/api/v1/codes"), json=True)
        assert_clear_503(post_api(client, data["token"], "During the outage."), json=True)
        gate.open()
        assert client.get("/").status_code == 200  # the same app: no restart
        assert post_api(client, data["token"], "During the outage.").status_code == 201
        assert comments_with(app, "During the outage.") == 1
        assert comments_with(app, "Before the outage.") == 1
    finally:
        gate.shut()
        dispose(app)


# --- Redis down --------------------------------------------------------------------------


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


REDIS_DOWN = """
import re
from sqlalchemy import select
from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.db import db
from app.synthesis.models import SynthesisRun
from tests.trust.test_durability import API_PATH, PASSWORD, csrf_token, post_api, seed

app = create_app(config_for_tests("sqlite:///{db}", HUEY_IMMEDIATE=False,
                                  RATELIMIT_STORAGE_URI="{redis}", PLENARY_FAKE_EMBEDDER=True))
data = seed(app)
with app.app_context():
    accounts.create_user("sec@example.org", "Sam Secretariat", role="secretariat",
                         password=PASSWORD)
    db.session.commit()
client = app.test_client()
codes = [post_api(client, data["token"], f"Comment {{n}} while Redis is down.").status_code
         for n in range(31)]
print("comments", codes.count(201), codes[-1])
client.post("/login", data={{"email": "sec@example.org", "password": PASSWORD,
                             "csrf_token": csrf_token(client, "/login")}})
page = "/chair/codes/dur/rounds/1/synthesis"
form = {{"scope": "round", "csrf_token": csrf_token(client, page)}}
reply = client.post(page + "/run", data=form)
print("run", reply.status_code, client.get(reply.headers.get("Location", page)).status_code)
with app.app_context():
    print("runs", [run.status for run in db.session.scalars(select(SynthesisRun))])
"""

REDIS_BACK = """
import datetime as dt
from sqlalchemy import select
from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.core.tasks import huey
from app.synthesis.models import SynthesisRun
from app.synthesis import tasks

app = create_app(config_for_tests("sqlite:///{db}", HUEY_IMMEDIATE=False,
                                  PLENARY_FAKE_EMBEDDER=True))
huey.flush()
periodic = [t.name for t in huey.read_periodic(dt.datetime.now())]
print("periodic", "requeue_stale_runs_task" in periodic)
with app.app_context():
    print("fresh", tasks.requeue_stale_runs())  # not yet older than REQUEUE_AFTER
    print("requeued", tasks.requeue_stale_runs(dt.timedelta(0)),
          tasks.requeue_stale_runs(dt.timedelta(0)))  # twice: the queue holds two copies
    print("pending", huey.pending_count())
    while (task := huey.dequeue()) is not None:  # what `plenary worker` does
        huey.execute(task)
    db.session.expire_all()
    print("runs", [run.status for run in db.session.scalars(select(SynthesisRun))])
    print("again", tasks.requeue_stale_runs(dt.timedelta(0)))
huey.flush()
"""


@pytest.fixture
def live_redis() -> Iterator[None]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(LIVE_REDIS)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {LIVE_REDIS}")
    yield
    client.flushdb()


@pytest.mark.redis
def test_redis_down_comments_save_limits_fall_back_and_queued_syntheses_run_later(
    tmp_path, live_redis
):
    database = tmp_path / "redis-down.db"
    env = {**os.environ, "PLENARY_INSTANCE_PATH": str(tmp_path), "REDIS_URL": DEAD_REDIS}
    down = run_python(REDIS_DOWN.format(db=database, redis=DEAD_REDIS), env)
    assert down.returncode == 0, down.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in down.stdout.strip().splitlines())
    assert lines["comments"] == "30 429"  # all saved; the limit still holds, in memory
    assert lines["run"] == "302 200"  # the chair gets the run page, not an error
    assert lines["runs"] == "['queued']"  # the durable record of the request

    back = run_python(REDIS_BACK.format(db=database), {**env, "REDIS_URL": LIVE_REDIS})
    assert back.returncode == 0, back.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in back.stdout.strip().splitlines())
    assert lines["periodic"] == "True"  # every worker sweeps once a minute
    assert lines["fresh"] == "0"
    assert lines["requeued"] == "1 1"
    assert lines["pending"] == "2"
    assert lines["runs"] == "['done']"  # ran once, although queued twice
    assert lines["again"] == "0"


# --- gunicorn, 4 workers, PostgreSQL + Redis ---------------------------------------------


@pytest.mark.slow
@pytest.mark.redis
def test_gunicorn_with_four_workers_on_postgresql_and_redis_stores_every_comment(
    pg_database, tmp_path
):
    from bench import load_gunicorn

    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(load_gunicorn.REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {load_gunicorn.REDIS_URL}")
    result = load_gunicorn.run_load(pg_database, tmp_path)
    assert result.sent == 200, result.line()
    assert result.acknowledged == 200, result.line()
    assert result.stored == 200, result.line()
    assert result.lost == 0 and result.server_errors == 0, result.line()

"""Shared pieces of the load and durability scripts (and of the gunicorn test).

Everything runs on loopback: fresh databases (a SQLite file or a PostgreSQL database created
here and dropped afterwards), a seeded public round with an open window, gunicorn started on a
free port and awaited on /healthz, comment POSTs through the API, and the stored rows read
back. Seeding and checks run in subprocesses so that the environment (DATABASE_URL,
REDIS_URL, PLENARY_ENV) is exactly the server's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PLENARY = ROOT / ".venv" / "bin" / "plenary"
PG_HOST = "postgresql+psycopg://postgres@127.0.0.1:5432"
TEXT = (
    "Signatories shall keep the technical documentation of each model up to date and "
    "shall make it available to the AI Office on request within fourteen days."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def comments_path(code: str) -> str:
    return f"/api/v1/codes/{code}/rounds/1/provisions/m-1/comments"


# --- databases ---------------------------------------------------------------------------


def create_pg_database(prefix: str) -> tuple[str, str] | None:
    """A fresh PostgreSQL database on 127.0.0.1:5432; (url, name), or None if none answers."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    admin = create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"postgresql unavailable: {error.__class__.__name__}", file=sys.stderr)
        return None
    finally:
        admin.dispose()
    return f"{PG_HOST}/{name}", name


def drop_pg_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def python(script: str, env: dict[str, str], stdin: str = "", timeout: float = 180) -> str:
    """Run `script` in a fresh interpreter with `env`; returns its last line of output."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def migrate(env: dict[str, str]) -> None:
    """`plenary db upgrade` against env's DATABASE_URL."""
    out = subprocess.run(
        [str(PLENARY), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if out.returncode != 0:
        raise RuntimeError(f"plenary db upgrade failed:\n{out.stderr[-3000:]}")


SEED = """
import datetime as dt, json, sys
from app import create_app
from app.accounts import services
from app.core.db import db
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.models import Code, Provision, Round
args = json.loads(sys.stdin.read())
app = create_app()
with app.app_context():
    if args["create_all"]:
        from flask_migrate import stamp
        db.create_all()
        stamp()
    now = dt.datetime.now(dt.UTC)
    round_ = Round(code=Code(slug=args["code"], title="Load code"), number=1, name="Load round",
                   visibility="public", levels=["measure"],
                   opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
    html = render_markdown(args["text"])
    db.session.add(Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                             label="Measure 1", number="1", title="Load", body=args["text"],
                             body_html=html, text=plain_text(html), search_text="load"))
    secrets = []
    for n in range(args["accounts"]):
        user = services.create_user(f"load{n}@example.org", f"Load Tester {n}")
        secrets.append(services.create_token(user, "load")[1])
    db.session.commit()
    print(json.dumps(secrets))
"""


def seed(env: dict[str, str], *, code: str, accounts: int, create_all: bool = True) -> list[str]:
    """A public round of `code` open for comments on provision m-1, and `accounts` accounts
    with one API token each (the API limits each account's pace); returns the token secrets.
    With create_all=False the schema must exist already (see `migrate`)."""
    args = {"code": code, "accounts": accounts, "create_all": create_all, "text": TEXT}
    if create_all:  # creating the schema may create the SQLite file too (as db upgrade does)
        env = {**env, "PLENARY_SQLITE_CREATE": "1"}
    return list(json.loads(python(SEED, env, json.dumps(args))))


CHECK = """
import json, sys
from sqlalchemy import func, select, text
from app import create_app
from app.core.db import db
from app.feedback.models import Comment
ids = json.loads(sys.stdin.read())
app = create_app()
with app.app_context():
    query = select(Comment.id, Comment.body).where(Comment.id.in_(ids))
    rows = dict(db.session.execute(query).all())
    total = db.session.scalar(select(func.count(Comment.id)))
    check = "n/a"
    if db.engine.dialect.name == "sqlite":
        check = db.session.execute(text("PRAGMA integrity_check")).scalar()
    print(json.dumps({"rows": rows, "total": total, "check": check}))
"""


@dataclass(frozen=True)
class Stored:
    rows: dict[int, str]  # id -> body, for the ids asked about
    total: int  # every comment in the database
    integrity: str  # PRAGMA integrity_check on SQLite, "n/a" elsewhere


def stored(env: dict[str, str], ids: list[int]) -> Stored:
    """The comments with these ids as stored, the total count and SQLite's integrity check."""
    result = json.loads(python(CHECK, env, json.dumps(ids)))
    rows = {int(k): v for k, v in result["rows"].items()}
    return Stored(rows, int(result["total"]), str(result["check"]))


# --- gunicorn ----------------------------------------------------------------------------


def start_gunicorn(
    env: dict[str, str],
    port: int,
    *,
    workers: int = 4,
    log: Path | None = None,
    wait: float = 180.0,
) -> subprocess.Popen[bytes]:
    """gunicorn -w `workers` serving app:create_app() on 127.0.0.1:`port`, once /healthz
    answers (workers import the ML stack: allow minutes on a loaded machine)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "app:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    if log:
        out.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    server.wait()
    raise RuntimeError(f"gunicorn did not start within {wait:.0f} s; see {log}")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def gunicorn(env: dict[str, str], port: int, **options: object) -> Iterator[str]:
    server = start_gunicorn(env, port, **options)  # type: ignore[arg-type]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_gunicorn(server)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill_all(server: subprocess.Popen[bytes]) -> int:
    """kill -9 the gunicorn master and its workers at once; returns how many were killed."""
    pids = [server.pid, *children(server.pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.wait(timeout=10)
    return len(pids)


# --- posting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int  # HTTP status, or 0 when the connection failed
    seconds: float
    text: str  # body of the reply, or the connection error's name

    @property
    def comment_id(self) -> int | None:
        return int(json.loads(self.text)["id"]) if self.status == 201 else None


def post_comment(
    base: str,
    code: str,
    token: str,
    body: str,
    *,
    idempotency_key: str | None = None,
    quote: str | None = None,
    timeout: float = 60,
) -> Reply:
    """POST one comment on provision m-1 of round 1 of `code` through the API."""
    data: dict[str, object] = {"stance": "amend" if quote else "support", "body": body}
    if quote:
        data["quote"] = quote
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(  # noqa: S310
        base + comments_path(code),
        data=json.dumps(data).encode(),
        method="POST",
        headers=headers,
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    except (OSError, ValueError) as error:
        status, text = 0, type(error).__name__
    return Reply(status, time.perf_counter() - started, text)


@dataclass
class Tally:
    """What a load sent and what the server acknowledged (thread-safe)."""

    sent: int = 0
    acknowledged: dict[int, str] = field(default_factory=dict)  # id -> body
    statuses: dict[str, int] = field(default_factory=dict)  # non-201 outcomes
    replies: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, body: str, reply: Reply) -> None:
        with self.lock:
            self.sent += 1
            self.replies.append(reply)
            if reply.status == 201 and reply.comment_id is not None:
                self.acknowledged[reply.comment_id] = body
            else:
                kind = str(reply.status) if reply.status else reply.text
                self.statuses[kind] = self.statuses.get(kind, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(1 for reply in self.replies if reply.status >= 500)


def concurrent_posts(
    base: str,
    code: str,
    tokens: list[str],
    posts: int,
    threads: int,
    *,
    tally: Tally | None = None,
    label: str = "load",
    send: Callable[..., Reply] = post_comment,
) -> Tally:
    """`posts` comment POSTs from `threads` threads, round-robin over the accounts' tokens."""
    tally = tally if tally is not None else Tally()

    def one(n: int) -> None:
        body = f"{label} comment {n}: keep the documentation current."
        tally.add(
            body, send(base, code, tokens[n % len(tokens)], body, idempotency_key=f"{label}-{n}")
        )

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(posts)))
    return tally


def lost(tally: Tally, found: Stored) -> list[int]:
    """Acknowledged comments that are missing or stored with another body."""
    return [i for i, body in tally.acknowledged.items() if found.rows.get(i) != body]

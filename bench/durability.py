"""Durability: no comment acknowledged with 201 is lost when the server is killed mid-load.

Runs gunicorn (4 workers) on a fresh SQLite file, then on a fresh PostgreSQL database (when one
answers on 127.0.0.1:5432 as user postgres), posts comments through the API from several
threads, `kill -9`s the master and every worker mid-load, restarts, posts again, and checks
that every acknowledged comment is stored (by returned id and body) and, on SQLite, that
`PRAGMA integrity_check` is ok. Loopback only; bounded loops; it stops by itself.

    cd /work/main && .venv/bin/python -m bench.durability
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
THREADS = 8
PER_THREAD = 60  # upper bound of posts per thread and phase
KILL_AFTER_ACKS = 150  # kill the server once this many comments were acknowledged
PHASE_SECONDS = 20.0
PATH = "/api/v1/codes/durability/rounds/1/provisions/m-1/comments"


@dataclass
class Tally:
    sent: int = 0
    acknowledged: dict[int, str] = field(default_factory=dict)  # id -> body
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str]) -> list[str]:
    """Create the schema, a public round with an open window, and one account and token per
    loading thread (the API limits each account's pace)."""
    script = """
import datetime as dt
from app import create_app
from app.accounts import services
from app.core.db import db
from app.drafting.models import Code, Provision, Round
app = create_app()
with app.app_context():
    db.create_all()
    now = dt.datetime.now(dt.UTC)
    code = Code(slug="durability", title="Durability code")
    round_ = Round(code=code, number=1, name="Load round", visibility="public",
                   opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                   levels=["measure"])
    db.session.add(Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                             label="Measure 1", number="1", title="Load", body="Load text.",
                             body_html="<p>Load text.</p>", text="Load text.",
                             search_text="load"))
    secrets = []
    for n in range(THREADS):
        user = services.create_user(f"load{n}@example.org", f"Load Tester {n}")
        secrets.append(services.create_token(user, "durability")[1])
    db.session.commit()
    print(" ".join(secrets))
""".replace("THREADS", str(THREADS))
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout.strip().splitlines()[-1].split()


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "2",
            "app:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
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


def post(port: int, secret: str, body: str, tally: Tally) -> None:
    data = json.dumps({"stance": "support", "body": body}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}",
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
    )
    with tally.lock:
        tally.sent += 1
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status == 201:
                stored_id = json.loads(response.read())["id"]
                with tally.lock:
                    tally.acknowledged[int(stored_id)] = body
            else:
                tally.error(str(response.status))
    except urllib.error.HTTPError as error:
        tally.error(str(error.code))
    except (OSError, ValueError) as error:
        tally.error(type(error).__name__)


def load(port: int, secrets: list[str], tally: Tally, phase: str, stop: threading.Event) -> None:
    def worker(n: int) -> None:
        deadline = time.monotonic() + PHASE_SECONDS
        for i in range(PER_THREAD):
            if stop.is_set() or time.monotonic() > deadline:
                return
            post(port, secrets[n], f"{phase} comment {n}-{i}: keep documentation current.", tally)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PHASE_SECONDS + 15)


def stored(env: dict[str, str], ids: list[int]) -> tuple[dict[int, str], str]:
    script = """
import json, sys
from sqlalchemy import select, text
from app import create_app
from app.core.db import db
from app.feedback.models import Comment
ids = json.loads(sys.stdin.read())
app = create_app()
with app.app_context():
    query = select(Comment.id, Comment.body).where(Comment.id.in_(ids))
    rows = dict(db.session.execute(query).all())
    check = "n/a"
    if db.engine.dialect.name == "sqlite":
        check = db.session.execute(text("PRAGMA integrity_check")).scalar()
    print(json.dumps({"rows": rows, "check": check}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {int(k): v for k, v in result["rows"].items()}, result["check"]


def run(label: str, database_url: str, instance: Path) -> bool:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PLENARY_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "durability-bench-secret-" + "k" * 32,
        "PLENARY_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    secrets = prepare(env)
    port = free_port()
    tally = Tally()
    started = time.monotonic()
    server = start(env, port)
    stop = threading.Event()
    loader = threading.Thread(target=load, args=(port, secrets, tally, "before", stop))
    loader.start()
    deadline = time.monotonic() + PHASE_SECONDS
    while len(tally.acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = kill_all(server)
    acked_at_kill = len(tally.acknowledged)
    time.sleep(0.5)
    stop.set()
    loader.join()
    server = start(env, port)
    load(port, secrets, tally, "after", threading.Event())
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    rows, check = stored(env, list(tally.acknowledged))
    lost = [i for i, body in tally.acknowledged.items() if rows.get(i) != body]
    elapsed = time.monotonic() - started
    print(
        f"{label}: sent {tally.sent}, acknowledged {len(tally.acknowledged)} "
        f"({acked_at_kill} before kill -9 of {killed} processes), stored {len(rows)}, "
        f"lost {len(lost)}; integrity_check {check}; {elapsed:.1f} s"
    )
    if tally.errors:
        print(f"  not acknowledged (expected around the kill): {tally.errors}")
    return not lost and check in ("ok", "n/a")


def postgres_url() -> tuple[str, str] | None:
    name = f"plenary_durability_{os.getpid()}"
    if shutil.which("createdb") is None:
        return None
    made = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, timeout=30
    )
    if made.returncode != 0:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="plenary-durability-") as folder:
        instance = Path(folder)
        ok &= run("SQLite", f"sqlite:///{instance / 'durability.db'}", instance)
        pg = postgres_url()
        if pg is None:
            print("PostgreSQL: skipped (no server on 127.0.0.1:5432 or createdb failed)")
        else:
            url, name = pg
            try:
                ok &= run("PostgreSQL", url, instance)
            finally:
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", name],
                    capture_output=True,
                    timeout=30,
                )
    print("durability:", "no acknowledged comment lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

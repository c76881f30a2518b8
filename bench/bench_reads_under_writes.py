"""Reads that used to write, under concurrent comment posts on SQLite.

The chairs' CSV export and the secretariat's pages once wrote audit rows inside read-only
(BEGIN DEFERRED) transactions and answered 503 "database is locked" while comments were being
posted. Now the export page is a read and the download a POST, and refusals go to the log.

Starts gunicorn (2 workers) on a fresh SQLite file, keeps 4 clients posting comments through
the API, and meanwhile has a chair read the export page and download the CSV, and the
secretariat read the admin pages, N times each; prints the status counts of each (target: no
503 and no 500).

    cd /work/main && .venv/bin/python -m bench.bench_reads_under_writes [--reads 80]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from bench import loadkit

PASSWORD = "bench-password-123"  # noqa: S105  (a throwaway database)
PEOPLE = """
import json, sys
from app import create_app
from app.accounts import services
from app.core.db import db
app = create_app()
with app.app_context():
    services.create_group("wg1", "Working group 1")
    password = json.loads(sys.stdin.read())
    services.create_user("chair@example.org", "Chair", groups=[("wg1", "chair")],
                         password=password)
    services.create_user("sec@example.org", "Secretariat", role="secretariat",
                         password=password)
    from app.drafting.models import Provision
    from app.accounts.models import WorkingGroup
    group = db.session.query(WorkingGroup).filter_by(slug="wg1").one()
    db.session.query(Provision).update({"group_id": group.id})
    db.session.commit()
    print(json.dumps("ok"))
"""


def login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                 "csrf_token": token}, timeout=30)
    answer.raise_for_status()
    return session


def reads(session: requests.Session, base: str, paths: list[str], count: int,
          download: str | None = None) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for n in range(count):
        path = paths[n % len(paths)]
        response = session.get(base + path, timeout=60)
        statuses[response.status_code] += 1
        if download and path == download and response.ok:
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
            posted = session.post(base + path, data={"csrf_token": token.group(1)}, timeout=60)
            statuses[posted.status_code] += 1
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=80)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db",
               "PLENARY_INSTANCE_PATH": folder, "PLENARY_ENV": "development"}
        env.pop("REDIS_URL", None)
        loadkit.migrate(env)
        tokens = loadkit.seed(env, code="rw", accounts=40, create_all=False)
        loadkit.python(PEOPLE, env, json.dumps(PASSWORD))
        port = loadkit.free_port()
        with loadkit.gunicorn(env, port, workers=2, log=Path(folder) / "gunicorn.log") as base:
            stop = threading.Event()
            tally = loadkit.Tally()

            def post(worker: int) -> None:
                n = 0
                while not stop.is_set():
                    body = f"writer {worker} comment {n}"
                    token = tokens[(worker + 4 * n) % len(tokens)]
                    tally.add(body, loadkit.post_comment(base, "rw", token, body))
                    n += 1

            writers = [threading.Thread(target=post, args=(w,)) for w in range(4)]
            for thread in writers:
                thread.start()
            time.sleep(1.0)
            started = time.perf_counter()
            export = "/codes/rw/rounds/1/comments.csv?group=wg1"
            chair = reads(login(base, "chair@example.org"), base, [export], args.reads, export)
            admin = reads(login(base, "sec@example.org"), base,
                          ["/admin/", "/admin/accounts", "/admin/groups", "/admin/audit"],
                          args.reads)
            stop.set()
            for thread in writers:
                thread.join()
        seconds = time.perf_counter() - started
    print(f"4 posters sent {tally.sent} comments ({len(tally.acknowledged)} stored, "
          f"other outcomes {json.dumps(tally.statuses)}) in {seconds:.0f} s of reading")
    print(f"chair CSV export, page and download: {dict(sorted(chair.items()))}; "
          f"503: {chair[503]}, 500: {chair[500]}")
    print(f"secretariat pages: {dict(sorted(admin.items()))}; 503: {admin[503]}, "
          f"500: {admin[500]}")


if __name__ == "__main__":
    main()

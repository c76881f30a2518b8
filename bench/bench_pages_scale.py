"""Pages as the record grows: the demo Code's pages with the record at 1x and at 100x.

Run: ``python -m bench.bench_pages_scale [--requests 60] [--postgresql URL] [--only search]``.
Builds two databases in child processes (SQLite files, or with ``--postgresql
postgresql+psycopg://user@host/name`` two PostgreSQL databases ``name_1x`` and ``name_100x``,
dropped afterwards): 1x is the demo Code (drafts/gpai-code, four rounds) with its round 2 and
round 3 feedback imported; 100x is the same plus twenty other consultations generated with our
own text and loaded in bulk (two rounds of 100 measures each: 4,000 provisions; 46,000 comments
from 2,000 authors, through the bulk import). Each also holds a finished synthesis run of one
measure for the chairs' pages, generated in bulk (`synthesis_scope`): 2,000 comments at 1x,
200,000 at 100x, in the same 16 themes and 6 campaigns. Both are served at once by gunicorn
(2 workers each) and every page is requested from both in turn, so that both see the same load
on a shared machine. Prints p50/p95 at both sizes and, first, the floor: a page that only
renders the base template. Goal for bounded pages (those whose content does not grow with the
other consultations; the chairs' pages list a page of the run at a time): p95 at 100x within
1.5x of p95 at 1x.
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
import urllib.request
from pathlib import Path

from sqlalchemy import text

from bench import loadkit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
EXTRA_CODES, MEASURES, COMMENTS, AUTHORS = 20, 100, 46_000, 2000
KEY = "model-documentation"
# (name, path, bounded): a bounded page shows the same whatever the other consultations hold.
PAGES = (
    ("floor: base template only", "/bench/floor", True),
    ("front page (lists every code)", "/", False),
    ("code page", "/codes/gpai-code", True),
    ("round 2 contents", "/codes/gpai-code/rounds/2", True),
    ("provision page", f"/codes/gpai-code/rounds/2/provisions/{KEY}", True),
    ("compare 1->4", "/codes/gpai-code/compare?from=1&to=4", True),
    ("history", f"/codes/gpai-code/provisions/{KEY}/history?from=1&to=4", True),
    ("round 4 changes (why)", "/codes/gpai-code/rounds/4/changes", True),
    ("register round 2", "/codes/gpai-code/rounds/2/register", True),
    ("search", "/codes/gpai-code/search?q=documentation", True),
    ("record", "/record", True),
    ("API codes (lists every code)", "/api/v1/codes", False),
    ("API provisions", "/api/v1/codes/gpai-code/rounds/2/provisions", True),
    ("API comments", f"/api/v1/codes/gpai-code/rounds/2/provisions/{KEY}/comments", True),
    ("API annotations", "/api/v1/codes/gpai-code/rounds/2/annotations", True),
    ("API diff 1->4", "/api/v1/codes/gpai-code/diff?from=1&to=4", True),
    ("API log head", "/api/v1/log", True),
    # The secretariat's view of the generated run ({run}, {theme}: its largest theme).
    ("chairs' run page", "/chair/runs/{run}", True),
    ("chairs' theme page (largest)", "/chair/runs/{run}/themes/{theme}", True),
)
AIM = 1.5
SYNTHESIS_COMMENTS = 200_000  # the generated run's comments at 100x (1x: a hundredth)


def wsgi_app():  # type: ignore[no-untyped-def]
    """The application gunicorn serves, with the floor page added (for this bench only)."""
    from flask import render_template

    from app import create_app

    app = create_app()
    app.add_url_rule("/bench/floor", "bench_floor", lambda: render_template("base.html"))
    app.add_url_rule("/bench/login", "bench_login", _login)
    return app


def _login() -> str:
    """Signs the bench's secretariat account in (a session cookie; nothing is written)."""
    from flask_login import login_user
    from sqlalchemy import select

    from app.accounts.models import User
    from app.core.db import db
    from bench.synthesis_scope import SECRETARIAT

    login_user(db.session.scalar(select(User).where(User.email == SECRETARIAT)))
    return "signed in"


def build(scale: int) -> None:
    """Runs in a child with DATABASE_URL set: the demo, plus the other consultations at 100x."""
    from flask_migrate import stamp

    from app import create_app
    from app.accounts.services import create_group
    from app.core.db import db
    from app.drafting.importer import import_path
    from app.drafting.services import get_round
    from app.feedback.bulk import import_feedback_file

    app = create_app()
    with app.app_context():
        db.create_all()
        stamp()
        for n in range(1, 5):
            create_group(f"wg{n}", f"Working group {n}")
        import_path(ROOT / "drafts" / "gpai-code")
        for n in (2, 3):
            import_feedback_file(ROOT / f"drafts/gpai-code/feedback/round-{n}.jsonl",
                                 get_round("gpai-code", n, check=False))
        db.session.commit()
        if scale > 1:
            _others(scale)
        from bench.synthesis_scope import build_scope

        run = build_scope(SYNTHESIS_COMMENTS * scale // 100)
        Path(os.environ["PLENARY_INSTANCE_PATH"], f"synthesis-{scale}.json").write_text(
            json.dumps(run))
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would on a live database after these inserts: statistics, and the
            # visibility map that lets a count read an index alone (VACUUM: not in a transaction).
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as bare:
                bare.execute(text("VACUUM ANALYZE"))


def _others(scale: int) -> None:
    from app.core.db import db
    from app.drafting.importer import import_round
    from app.drafting.services import get_round
    from app.feedback.bulk import import_feedback

    rng = random.Random(scale)
    per_round = COMMENTS // (EXTRA_CODES * 2)
    for c in range(EXTRA_CODES):
        slug = f"other-{c}"
        for number in (1, 2):
            import_round(_round(slug, number, rng), f"{slug}/{number}.md")
            rows = ((i, _comment(slug, number, i, rng)) for i in range(1, per_round + 1))
            import_feedback(get_round(slug, number, check=False), rows)
        db.session.commit()


def _round(slug: str, number: int, rng: random.Random) -> str:
    lines = ["---", f"code: {slug}", f"title: Consultation {slug}", f"round: {number}",
             f"name: Draft {number}", "date: 2026-01-01", "visibility: public",
             "consultation:", "  opens: 2026-01-01T00:00:00Z", "  closes: 2026-02-01T00:00:00Z",
             "levels: [chapter, measure]", "---", ""]
    for chapter in range(1, 5):
        lines += [f"# Chapter {chapter} {{#ch-{chapter} wg=wg{chapter}}}", "", "Scope.", ""]
        for m in range(1, MEASURES // 4 + 1):
            words = " ".join(rng.choice(_WORDS) for _ in range(60))
            lines += [f"## Measure {chapter}.{m}: Duty {chapter}.{m} {{#m-{chapter}-{m}}}", "",
                      f"Providers shall {words}.", ""]
    return "\n".join(lines)


_WORDS = ("documentation", "training", "evaluation", "incident", "copyright", "energy",
          "security", "access", "reporting", "oversight", "the", "of", "and", "model",
          "provider", "risk", "summary", "within", "days", "office")


def _comment(slug: str, number: int, i: int, rng: random.Random) -> dict[str, object]:
    author = rng.randrange(AUTHORS)
    return {"external_id": f"{slug}-{number}-{i}",
            "provision": f"m-{rng.randint(1, 4)}-{rng.randint(1, MEASURES // 4)}",
            "author": {"email": f"voice{author}@example.org", "name": f"Voice {author}",
                       "category": "civil_society"},
            "stance": rng.choice(("support", "oppose", "amend", "question")),
            "body": " ".join(rng.choice(_WORDS) for _ in range(40)),
            "submitted_at": "2026-01-15T10:00:00Z"}  # fmt: skip


def _get(url: str, cookie: str = "") -> float:
    start = time.perf_counter()
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - start) * 1000


def _session(base: str) -> str:
    """The cookie of a signed-in secretariat session on the server at `base`."""
    with urllib.request.urlopen(base + "/bench/login", timeout=60) as response:  # noqa: S310
        return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--postgresql", metavar="URL",
                        help="build PostgreSQL databases named after this URL's, not SQLite")
    parser.add_argument("--only", metavar="WORD",
                        help="measure only the pages whose name contains WORD (and the floor)")
    parser.add_argument("--build", type=int)
    args = parser.parse_args()
    if args.build:
        build(args.build)
        return
    workdir = Path(tempfile.mkdtemp(prefix="plenary-scale-"))
    urls = {scale: f"sqlite:///{workdir / f'scale{scale}.db'}" for scale in (1, 100)}
    if args.postgresql:
        urls = {scale: _create_database(args.postgresql, f"_{scale}x") for scale in (1, 100)}
    try:
        _run(workdir, urls, args)
    finally:
        if args.postgresql:
            for url in urls.values():
                _drop_database(args.postgresql, url)


def _create_database(server: str, suffix: str) -> str:
    from sqlalchemy import create_engine, make_url

    url = make_url(server)
    url = url.set(database=f"{url.database}{suffix}")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def _drop_database(server: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _run(workdir: Path, urls: dict[int, str], args: argparse.Namespace) -> None:
    envs = {}
    for scale, url in urls.items():
        env = {**os.environ, "DATABASE_URL": url,
               "PLENARY_ENV": "development", "PLENARY_INSTANCE_PATH": str(workdir),
               "PLENARY_SQLITE_CREATE": "1", "PYTHONPATH": str(ROOT)}  # fmt: skip
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.bench_pages_scale", "--build", str(scale)],
                       env=env, cwd=ROOT, check=True, timeout=3600)
        print(f"{scale}x built in {time.perf_counter() - start:.0f} s")
        envs[scale] = env
    servers, bases = [], {}
    try:
        for scale, env in envs.items():
            port = loadkit.free_port()
            log = (workdir / f"gunicorn-{scale}.log").open("ab")
            servers.append(subprocess.Popen(
                [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120",
                 "bench.bench_pages_scale:wsgi_app()"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
            bases[scale] = f"http://127.0.0.1:{port}"
        for base in bases.values():
            _await(base)
        pages = [p for p in PAGES if p[0].startswith("floor")
                 or not args.only or args.only in p[0]]  # fmt: skip
        runs = {scale: json.loads((workdir / f"synthesis-{scale}.json").read_text())
                for scale in bases}
        cookies = {scale: _session(base) for scale, base in bases.items()}
        _measure(bases, args.requests, pages, runs, cookies)
    finally:
        for server in servers:
            loadkit.stop_gunicorn(server)


def _await(base: str, wait: float = 300) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            _get(base + "/healthz")
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{base} did not answer within {wait:.0f} s")


def _measure(bases: dict[int, str], requests: int, pages: list[tuple[str, str, bool]],
             runs: dict[int, dict], cookies: dict[int, str]) -> None:
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {requests} "
          "requests per page and size, alternating the sizes")
    print(f"{'page':32} {'p50 1x':>7} {'p95 1x':>7} {'p50 100x':>9} {'p95 100x':>9} "
          f"{'p50 x':>6} {'p95 x':>6}  verdict")
    for name, path, bounded in pages:
        samples: dict[int, list[float]] = {1: [], 100: []}
        for i in range(requests + 3):
            for scale, base in bases.items():
                elapsed = _get(base + path.format(**runs[scale]), cookies[scale])
                if i >= 3:
                    samples[scale].append(elapsed)
        (p50a, p95a), (p50b, p95b) = _percentiles(samples[1]), _percentiles(samples[100])
        ratio = p95b / p95a
        verdict = ("meets" if ratio <= AIM else "misses") if bounded else "(grows by design)"
        print(f"{name:32} {p50a:7.1f} {p95a:7.1f} {p50b:9.1f} {p95b:9.1f} {p50b / p50a:6.2f} "
              f"{ratio:6.2f}  {verdict}")
    print(f"aim: p95(100x) <= {AIM} x p95(1x) for bounded pages")


if __name__ == "__main__":
    main()

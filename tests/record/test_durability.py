"""The log under real conditions, each test on its own database (a SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL), never the suite's rolled-back one:
concurrent writers get contiguous leaf indices, a writer killed with SIGKILL leaves no comment
without its leaf nor a leaf without its comment, and a running instance verifies over HTTP,
with `plenary verify` and with the standard-library script."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.accounts import services as accounts
from app.config import config_for_tests
from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.record import events
from app.record.models import LogEntry
from app.record.sources import LocalSource
from app.record.verify import check_log
from tests.record.conftest import ROOT, TEXT

PATH = "/api/v1/codes/dur/rounds/1/provisions/m-1/comments"



@pytest.fixture
def own_app(fresh_database_url: str) -> Iterator[tuple[Flask, dict[str, Any]]]:
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        db.create_all()
        now = dt.datetime.now(dt.UTC)
        day = dt.timedelta(days=1)
        round_ = Round(code=Code(slug="dur", title="Durability"), number=1, name="Draft 1",
                       visibility="public", levels=["measure"], opens_at=now - day,
                       closes_at=now + day)  # fmt: skip
        provision = Provision(round=round_, key="m-1", kind="measure", depth=1, position=0,
                              title="Records", body=TEXT, body_html=f"<p>{TEXT}</p>",
                              text=TEXT)  # fmt: skip
        db.session.add(provision)
        db.session.flush()
        events.log_round_published(round_)
        users = [accounts.create_user(f"w{n}@example.org", f"Writer {n}") for n in range(8)]
        tokens = [accounts.create_token(user, "durability")[1] for user in users]
        data = {"tokens": tokens, "provision_id": provision.id, "user_ids": [u.id for u in users]}
        db.session.commit()
    yield app, data
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_log_holds(app: Flask) -> int:
    """Every check of `plenary verify log` holds, and comments and leaves match one to one."""
    with app.app_context():
        report, state = check_log(LocalSource(), None, full=True)
        assert report.ok, report.failures
        logged = db.session.scalars(
            select(LogEntry.comment_id).where(LogEntry.kind == "comment")).all()  # fmt: skip
        stored = db.session.scalars(select(Comment.id)).all()
        assert sorted(logged) == sorted(stored)
        indices = db.session.scalars(select(LogEntry.leaf_index).order_by(LogEntry.leaf_index))
        assert list(indices) == list(range(state["tree_size"]))
        db.session.remove()
        return len(stored)


def test_concurrent_writers_get_contiguous_leaves(own_app):
    app, data = own_app
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def writer(token: str) -> None:
        client = app.test_client()
        barrier.wait()
        for n in range(6):
            response = client.post(PATH, json={"stance": "support", "body": f"Point {n}."},
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            statuses.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(t,)) for t in data["tokens"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 48
    assert assert_log_holds(app) == 48


KILLED_WRITER = textwrap.dedent("""
    import sys
    from app import create_app
    from app.config import config_for_tests
    from app.core.db import db
    from app.accounts.models import User
    from app.drafting.models import Provision
    from app.feedback.services import submit_comment

    app = create_app(config_for_tests(sys.argv[1]))
    with app.app_context():
        provision = db.session.get(Provision, int(sys.argv[2]))
        author = db.session.get(User, int(sys.argv[3]))
        n = 0
        while True:
            submit_comment(provision, author, stance="neutral", body=f"Kill me {n}.")
            db.session.commit()
            n += 1
            print(n, flush=True)
""")


def test_a_writer_killed_mid_stream_leaves_the_log_and_comments_in_step(
        own_app, fresh_database_url):  # fmt: skip
    app, data = own_app
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        writer = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, fresh_database_url, str(data["provision_id"]),
             str(data["user_ids"][0])],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert writer.stdout is not None
        for line in writer.stdout:
            if int(line) >= 15:
                break
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert assert_log_holds(app) >= 30


@pytest.fixture
def live(own_app) -> Iterator[tuple[Flask, dict[str, Any], str]]:
    app, data = own_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, data, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_running_instance_verifies_over_http_with_the_cli_and_the_script(live, tmp_path):
    app, data, base = live
    client = app.test_client()
    token = {"Authorization": f"Bearer {data['tokens'][0]}"}
    receipts = [client.post(PATH, json={"stance": "amend", "body": f"Remote {n}."},
                            headers=token).get_json()["receipt"] for n in range(5)]  # fmt: skip
    state = str(tmp_path / "state.json")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["verify", "log", "--url", base, "--state", state])
    assert first.exit_code == 0 and first.output.startswith("log ok: 6 entries"), first.output
    client.post(PATH, json={"stance": "amend", "body": "One more."}, headers=token)
    again = runner.invoke(args=["verify", "log", "--url", base + "/api/v1", "--state", state])
    assert again.exit_code == 0 and "consistent with the head of size 6" in again.output
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipts[1]))
    cli = runner.invoke(args=["verify", "receipt", str(path), "--url", base])
    assert cli.exit_code == 0, cli.output
    script = [sys.executable, str(ROOT / "docs/verify_receipt.py"), str(path), base]
    ok = subprocess.run(script, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stdout + ok.stderr
    receipts[1]["comment"]["body"] = "Remote 1, as I wish I had written it."
    path.write_text(json.dumps(receipts[1]))
    tampered = subprocess.run(script, capture_output=True, text=True, timeout=120)
    assert tampered.returncode == 1
    assert tampered.stdout.splitlines() == [
        "FAIL commitment: the comment and salt do not give the leaf's commitment"
    ]
    assert runner.invoke(args=["verify", "receipt", str(path), "--url", base]).exit_code == 1
    down = runner.invoke(args=["verify", "log", "--url", "http://127.0.0.1:9", "--state", state])
    assert down.exit_code == 1 and down.output.startswith("FAIL fetch:")
    with app.app_context():
        assert db.session.scalar(select(func.count(LogEntry.leaf_index))) == 7
        db.session.remove()

"""A run left "running" by a killed worker is failed by the periodic sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core.db import db, utcnow
from app.synthesis import tasks
from app.synthesis.models import SynthesisRun
from app.synthesis.services import create_run


def _running_run(round_: Any, created_at: dt.datetime) -> SynthesisRun:
    run = create_run(round_, provision="documentation")
    run.status, run.created_at = "running", created_at
    run.progress_done, run.progress_total = 5, 23
    db.session.commit()
    return run


def test_a_running_run_older_than_the_limit_is_marked_failed(feedback: Any) -> None:
    run = _running_run(feedback["round"], utcnow() - tasks.ABANDON_AFTER - dt.timedelta(minutes=1))
    assert tasks.fail_abandoned_runs() == 1
    db.session.refresh(run)
    assert run.status == "failed" and run.finished_at is not None
    assert run.message == tasks.ABANDONED_MESSAGE and "run it again" in run.message


def test_a_fresh_running_run_is_left_alone(feedback: Any) -> None:
    run = _running_run(feedback["round"], utcnow() - dt.timedelta(minutes=5))
    assert tasks.fail_abandoned_runs() == 0
    db.session.refresh(run)
    assert run.status == "running" and run.finished_at is None and run.message == ""


def test_old_queued_and_done_runs_are_not_touched_by_the_sweep(feedback: Any) -> None:
    old = utcnow() - tasks.ABANDON_AFTER - dt.timedelta(hours=1)
    queued = create_run(feedback["round"], provision="documentation")
    queued.created_at = old
    done = _running_run(feedback["round"], old)
    done.status = "done"
    db.session.commit()
    assert tasks.fail_abandoned_runs() == 0
    db.session.refresh(queued)
    db.session.refresh(done)
    assert (queued.status, done.status) == ("queued", "done")


def test_the_chair_pages_show_an_abandoned_run_as_failed_and_offer_a_new_run(
    feedback: Any, client: Any, auth: Any, create_user: Any
) -> None:
    run = _running_run(feedback["round"], utcnow() - tasks.ABANDON_AFTER - dt.timedelta(minutes=1))
    tasks.fail_abandoned_runs()
    create_user("chair1@example.org", groups=[("wg1", "chair")])
    auth.login("chair1@example.org")
    run_page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert "run it again" in run_page and "Embedding and clustering" not in run_page
    round_page = client.get("/chair/codes/demo-code/rounds/1/synthesis").get_data(as_text=True)
    row = round_page.split(f"Run {run.id}</a> failed.", 1)[1].split("</tr>", 1)[0]
    assert 'value="provision:documentation"' in row and "Run synthesis<span" in row


def test_a_run_queued_for_over_a_minute_says_no_worker_took_it(
    client, auth, create_user, feedback
):
    create_user("chair@example.org", groups=[("wg1", "chair")])
    auth.login("chair@example.org")
    run = create_run(feedback["round"], provision="documentation")
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert "Waiting for a worker" in page and "plenary worker" not in page
    assert "refreshes itself" in page and "0 of 0 steps" not in page  # nothing counted yet
    db.session.get(SynthesisRun, run.id).created_at -= dt.timedelta(minutes=2)
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert "No worker has taken this run" in page and "plenary worker" in page


WORKER_SCRIPT = """
import json, sys, time
from pathlib import Path
from app import create_app
from app.config import config_for_tests
from app.core.tasks import app_task, start_worker_threads
folder = Path(sys.argv[1])
app = create_app(config_for_tests(f"sqlite:///{folder}/w.db", HUEY_IMMEDIATE=False))

@app_task()
def leave_a_mark(text):
    (folder / "mark.txt").write_text(text)

start_worker_threads()
leave_a_mark("done by the worker thread")
for _ in range(100):  # until written: the file exists a moment before its text is in it
    if (folder / "mark.txt").exists() and (folder / "mark.txt").read_text():
        break
    time.sleep(0.1)
print((folder / "mark.txt").read_text())
"""


def test_the_demo_runs_queued_tasks_in_worker_threads_of_its_own_process(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(tmp_path)], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "done by the worker thread", result.stderr[-2000:]

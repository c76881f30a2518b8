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

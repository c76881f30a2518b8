"""`plenary synthesise`, `plenary export synthesis`, and the background task."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from app.core.db import db
from app.embedding.engine import HashingEmbedder
from app.synthesis import tasks
from app.synthesis.models import SynthesisRun
from app.synthesis.services import create_run


def test_synthesise_runs_in_the_foreground_and_export_prints_the_json(
    runner: Any, feedback: Any
) -> None:
    result = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "1",
                                 "--provision", "documentation"])
    assert result.exit_code == 0, result.output
    themes = int(re.search(r"22 comments in (\d+) themes", result.output).group(1))
    result = runner.invoke(args=["export", "synthesis", "--code", "demo-code", "--round", "1",
                                 "--provision", "documentation"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["comment_count"] == 22 and len(document["themes"]) == themes >= 3
    named = [c for t in document["themes"] for c in t["comments"]] + document["unassigned"]
    assert len(named) == len(set(named)) == 22  # every comment exactly once
    assert all(t["label"] and "summary" in t for t in document["themes"])


def test_export_without_a_run_exits_2_with_one_line(runner: Any, feedback: Any) -> None:
    result = runner.invoke(args=["export", "synthesis", "--code", "demo-code", "--round", "1",
                                 "--group", "wg2"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no synthesis" in result.stderr


def test_synthesise_a_bad_scope_exits_2(runner: Any, feedback: Any) -> None:
    result = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "9"])
    assert result.exit_code == 2 and "no round 9" in result.stderr
    result = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "1",
                                 "--provision", "nope"])
    assert result.exit_code == 2 and "no provision 'nope'" in result.stderr
    assert "Traceback" not in result.output
    assert "embedding" not in result.output  # refused before any progress bar
    both = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "1",
                               "--provision", "documentation", "--group", "wg1"])
    assert both.exit_code == 2 and "not both" in both.stderr and both.stdout == ""


def test_a_model_that_cannot_be_loaded_exits_2_with_one_line_and_no_run(
    app: Any, runner: Any, feedback: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    blocked = tmp_path / "models"
    blocked.write_text("a file where the ONNX cache folder should be")
    app.config["PLENARY_FAKE_EMBEDDER"] = False  # the autouse fixture restores it
    monkeypatch.setitem(app.config, "PLENARY_EMBEDDING_BACKEND", "onnx")
    monkeypatch.setitem(app.config, "PLENARY_EMBEDDING_CACHE", str(blocked))
    result = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "1",
                                 "--provision", "documentation"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "The embedding model cannot be loaded" in result.stderr
    assert "Traceback" not in result.output
    assert db.session.query(SynthesisRun).count() == 0


def test_the_task_runs_a_queued_run_and_stores_its_progress(feedback: Any,
                                                            monkeypatch: Any) -> None:
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0.0)
    seen: list[int] = []
    original = db.session.commit

    def spy() -> None:
        run = db.session.get(SynthesisRun, run_id)
        if run is not None:
            seen.append(run.progress_done)
        original()

    run = create_run(feedback["round"], provision="documentation")
    db.session.commit()
    run_id = run.id
    monkeypatch.setattr(db.session, "commit", spy)
    tasks.queue_synthesis(run)  # HUEY_IMMEDIATE: runs now
    db.session.refresh(run)
    assert run.status == "done" and run.finished_at is not None
    assert run.progress_done == run.progress_total == 23
    assert seen[0] < 23 and seen[-1] == 23


class BrokenEmbedder(HashingEmbedder):
    def encode(self, texts: Any, **kwargs: Any) -> np.ndarray:
        raise RuntimeError("model files are corrupt")


def test_a_failing_run_is_marked_failed_with_its_reason(feedback: Any, monkeypatch: Any) -> None:
    from app.synthesis import services

    monkeypatch.setattr(services, "run_embedder", lambda texts: BrokenEmbedder())
    run = create_run(feedback["round"], provision="documentation")
    db.session.commit()
    tasks.queue_synthesis(run)
    db.session.refresh(run)
    assert run.status == "failed"
    assert "model files are corrupt" in run.message

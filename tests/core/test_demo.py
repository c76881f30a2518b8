"""`plenary demo` loads everything on an empty database (the newcomer's first command)."""

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.model]


def test_demo_loads_rounds_feedback_syntheses_and_answers_on_a_fresh_database(tmp_path):
    database = tmp_path / "demo.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "PLENARY_INSTANCE_PATH": str(tmp_path)}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--no-serve"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "imported round 4" in result.stdout
    assert "secretariat@plenary.example" in result.stdout
    with sqlite3.connect(database) as connection:
        count = lambda table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        assert count("rounds") == 4
        assert count("comments") >= 400
        assert count("comment_carries") > 0
        assert count("synthesis_runs") >= 4
        assert count("theme_responses") > 0
        assert_the_story_holds(connection)
        assert_public_titles_hold_no_private_words(connection)
        decided = "SELECT count(*) FROM comments WHERE decision IS NOT NULL"
        assert connection.execute(decided).fetchone()[0] > 50
        nora = connection.execute(
            "SELECT n.kind FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE u.email = 'participant@plenary.example'").fetchall()
        assert {"proposal_decided", "comment_carried", "theme_answered",
                "round_published", "window_opened"} <= {kind for (kind,) in nora}
    again = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--no-serve"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "already loaded" in again.stdout


def assert_public_titles_hold_no_private_words(connection: sqlite3.Connection) -> None:
    """Every answered theme's title (what the public register shows) is the chairs' own from
    the public draft, or a generated one whose words published comments use: never words of
    a private comment (nor the name of a sender who did not agree to be named)."""
    from app.synthesis.phrases import phrase_key

    answered = connection.execute(
        "SELECT i.title, i.round_id FROM theme_identities i "
        "JOIN theme_responses r ON r.identity_id = i.id").fetchall()
    assert answered
    for title, round_id in answered:
        assert title, "the demo chairs title every theme they answer"
        if title.startswith("Comments on "):
            continue
        public = [f" {phrase_key(body)} " for (body,) in connection.execute(
            "SELECT body || ' ' || coalesce(proposed_text, '') FROM comments "
            "WHERE round_id = ? AND publish_consent = 1 "
            "AND hidden_at IS NULL AND status != 'withdrawn'", (round_id,))]
        for part in title.split(" and "):
            assert any(f" {phrase_key(part)} " in text for text in public), title


def assert_the_story_holds(connection: sqlite3.Connection) -> None:
    """The demo's dates agree: the latest published round is the one open for feedback, the
    final version comes after it (in preparation, not yet published), and every comment was
    sent within its round's window and before now."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    rounds = connection.execute(
        "SELECT number, date, visibility, opens_at, closes_at, final FROM rounds ORDER BY number"
    ).fetchall()
    dates = [r[1] for r in rounds]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    published = [r for r in rounds if r[2] != "internal"]
    latest = published[-1]
    assert latest[3] <= now < latest[4], "the latest published round is open for feedback"
    for earlier in published[:-1]:
        assert earlier[4] < now, "every earlier round is closed"
    final = rounds[-1]
    assert final[5] == 1 and final[2] == "internal" and final[1] > latest[4][:10]
    outside = connection.execute(
        "SELECT count(*) FROM comments c JOIN rounds r ON r.id = c.round_id "
        "WHERE c.submitted_at < r.opens_at OR c.submitted_at > r.closes_at "
        "OR c.submitted_at > ?", (now,)
    ).fetchone()[0]
    assert outside == 0

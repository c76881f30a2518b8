"""`plenary demo` loads everything on an empty database (the newcomer's first command)."""

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
    again = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--no-serve"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "already loaded" in again.stdout

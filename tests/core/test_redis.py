"""With REDIS_URL set, rate limits and the task queue live in Redis (shared by every worker).

Each check runs in a fresh interpreter: the limiter and the Huey instance are process-wide.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PLENARY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDIS_URL": REDIS_URL, "PLENARY_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    yield client
    client.flushdb()


LOGIN_SCRIPT = """
from app import create_app
from app.config import config_for_tests
from app.core.db import db
config = config_for_tests("sqlite:///{db}", RATELIMIT_STORAGE_URI="{redis}",
                          WTF_CSRF_ENABLED=False)
app = create_app(config)
with app.app_context():
    db.create_all()
client = app.test_client()
form = {{"email": "{email}", "password": "wrong-password-1"}}
codes = [client.post("/login", data=form).status_code for _ in range({count})]
print(codes[-1])
"""


def test_login_limits_are_shared_between_processes_through_redis(redis_client, tmp_path):
    """Two processes (two gunicorn workers, say) count failed logins for one account together."""
    email = f"target-{uuid.uuid4().hex[:6]}@example.org"
    script = LOGIN_SCRIPT.format(db=tmp_path / "a.db", redis=REDIS_URL, email=email, count=5)
    first = run_python(script, tmp_path)
    assert first.stdout.strip() == "200", first.stderr
    second = run_python(script.replace("a.db", "b.db"), tmp_path)
    assert second.stdout.strip() == "429", second.stderr
    assert any(b"login" in key for key in redis_client.keys("*"))


QUEUE_SCRIPT = """
from app import create_app
from app.core.tasks import huey
app = create_app()
storage = huey.storage
print(type(storage).__name__, getattr(storage, "filename", ""))
"""


def test_task_queue_uses_redis_when_configured(redis_client, tmp_path):
    result = run_python(QUEUE_SCRIPT, tmp_path)
    assert result.stdout.split()[0] == "RedisStorage", result.stderr


def test_task_queue_is_a_sqlite_file_beside_the_database_without_redis(tmp_path):
    """Not in the source folder: beside the SQLite database that DATABASE_URL names."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PLENARY_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/data/plenary.db"
    result = subprocess.run(
        [sys.executable, "-c", QUEUE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    kind, filename = result.stdout.split()
    assert kind == "SqliteStorage", result.stderr
    assert filename == str(tmp_path / "data" / "huey.db")

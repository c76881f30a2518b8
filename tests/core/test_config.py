import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {"PLENARY_ENV": "production", "DATABASE_URL": "postgresql+psycopg://db/plenary"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, env)


def test_production_refuses_the_embedded_database(tmp_path):
    env = {"PLENARY_ENV": "production", "SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config(tmp_path, env)


PRODUCTION = {
    "PLENARY_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://db/plenary",
    "PLENARY_PUBLIC_URL": "https://plenary.example.eu",
    "PLENARY_LOG_SIGNING_KEY": "A" * 43 + "=",
}


@pytest.mark.parametrize("missing", ["PLENARY_PUBLIC_URL", "PLENARY_LOG_SIGNING_KEY"])
def test_production_refuses_to_start_without_its_public_url_or_log_key(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_config(tmp_path, env)


def test_production_sets_secure_cookies(tmp_path):
    env = dict(PRODUCTION)
    config = load_config(tmp_path, env)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_development_keeps_a_random_secret_in_the_instance_folder(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config(tmp_path, {})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PLENARY_ENV": "staging"}, "PLENARY_ENV"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"PLENARY_SMTP_PORT": "twenty-five"}, "PLENARY_SMTP_PORT"),
        ({"PLENARY_EMBED_INT8_ABOVE": "-5"}, "PLENARY_EMBED_INT8_ABOVE must be at least 0"),
        ({"PLENARY_EMBED_CHUNK": "0"}, "PLENARY_EMBED_CHUNK must be at least 1"),
    ],
)
def test_malformed_environment_is_refused_with_a_clear_message(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, env)


def test_cli_reports_a_malformed_environment_in_one_line_with_status_2():
    env = {**os.environ, "PLENARY_ENV": "staging"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--help"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PLENARY_ENV" in result.stderr and "Traceback" not in result.stderr


def test_cli_unknown_option_exits_2_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "users", "create", "--bogus"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr

"""Configuration from the environment (CONTRACT §6)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the platform can run with."""


ENVIRONMENTS = ("development", "production", "test")
EMBEDDING_BACKENDS = ("auto", "torch", "onnx", "onnx-int8")


def _secret_key(instance_path: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _int_env(env: dict[str, str], name: str, default: int, minimum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def load_config(instance_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from environment variables; raise ConfigError if invalid."""
    env = dict(os.environ if env is None else env)
    plenary_env = env.get("PLENARY_ENV", "development")
    if plenary_env not in ENVIRONMENTS:
        raise ConfigError(
            f"PLENARY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {plenary_env!r}"
        )
    production = plenary_env == "production"

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'plenary.db'}"
    if not database_url.startswith(("sqlite:", "postgresql")):
        raise ConfigError(
            f"DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL, not {database_url!r}"
        )
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    secret = env.get("SECRET_KEY")
    if production:
        if not secret or len(secret) < 32:
            raise ConfigError("PLENARY_ENV=production needs SECRET_KEY (at least 32 characters)")
        if database_url.startswith("sqlite:") or "DATABASE_URL" not in env:
            raise ConfigError("PLENARY_ENV=production needs DATABASE_URL pointing at PostgreSQL")
        if not env.get("PLENARY_PUBLIC_URL", "").startswith("https://"):
            raise ConfigError("PLENARY_ENV=production needs PLENARY_PUBLIC_URL, the https:// "
                              "address the public uses (feeds, receipts and mails name it)")
        if not env.get("PLENARY_LOG_SIGNING_KEY"):
            raise ConfigError("PLENARY_ENV=production needs PLENARY_LOG_SIGNING_KEY, the key that "
                              "signs the transparency log (`plenary log keygen` prints one)")
    redis_url = env.get("REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL must be a redis:// URL, not {redis_url!r}")

    backend = env.get("PLENARY_EMBEDDING_BACKEND") or "auto"
    if backend not in EMBEDDING_BACKENDS:
        raise ConfigError(f"PLENARY_EMBEDDING_BACKEND must be one of "
                          f"{', '.join(EMBEDDING_BACKENDS)}, not {backend!r}")

    return {
        "PLENARY_ENV": plenary_env,
        "SECRET_KEY": secret or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "PLENARY_EMBEDDING_MODEL": env.get("PLENARY_EMBEDDING_MODEL") or None,
        # Which runtime embeds (docs/synthesis.md, "The embedding path"); the ONNX files are
        # built into PLENARY_EMBEDDING_CACHE (default: the instance folder's models/).
        "PLENARY_EMBEDDING_BACKEND": backend,
        "PLENARY_EMBEDDING_THREADS": _int_env(env, "PLENARY_EMBEDDING_THREADS", 0) or None,
        "PLENARY_EMBEDDING_CACHE": env.get("PLENARY_EMBEDDING_CACHE") or str(
            instance_path / "models"),
        # A run with more texts to embed than FANOUT_ABOVE splits them into chunks of
        # EMBED_CHUNK on the task queue (docs/synthesis.md, "Large runs across workers").
        "PLENARY_EMBED_FANOUT_ABOVE": _int_env(env, "PLENARY_EMBED_FANOUT_ABOVE", 4000, minimum=0),
        "PLENARY_EMBED_CHUNK": _int_env(env, "PLENARY_EMBED_CHUNK", 2000, minimum=1),
        # Under the `auto` backend, on a processor with int8 dot products, a run with more
        # texts to embed than this takes the int8 path (docs/synthesis.md, "The embedding
        # path"): at 2,000 the exact path takes about 12 s on two cores.
        "PLENARY_EMBED_INT8_ABOVE": _int_env(env, "PLENARY_EMBED_INT8_ABOVE", 2000, minimum=0),
        "PLENARY_EMBED_LEASE": _int_env(env, "PLENARY_EMBED_LEASE", 120, minimum=1),
        # Scopes this large are read streamed and themed in two stages (docs/synthesis.md).
        "PLENARY_SYNTHESIS_LARGE_FROM": _int_env(env, "PLENARY_SYNTHESIS_LARGE_FROM", 20_000),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _int_env(env, "PLENARY_MAX_UPLOAD_BYTES", 8 * 1024 * 1024),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": True,
        "MAIL_SERVER": env.get("PLENARY_SMTP_HOST") or None,
        "MAIL_PORT": _int_env(env, "PLENARY_SMTP_PORT", 25),
        "MAIL_SENDER": env.get("PLENARY_MAIL_FROM", "plenary@localhost"),
        "INVITATION_DAYS": _int_env(env, "PLENARY_INVITATION_DAYS", 7),
        "HUEY_IMMEDIATE": plenary_env == "test",
        "PUBLIC_URL": env.get("PLENARY_PUBLIC_URL", "http://127.0.0.1:5000"),
        # The transparency log's Ed25519 key (base64 seed); development generates one in the
        # instance folder (app/record/signing.py).
        "PLENARY_LOG_SIGNING_KEY": env.get("PLENARY_LOG_SIGNING_KEY") or None,
        # The optional summariser behind an OpenAI-compatible endpoint (docs/synthesis.md).
        "PLENARY_SUMMARISER_URL": env.get("PLENARY_SUMMARISER_URL") or None,
        "PLENARY_SUMMARISER_MODEL": env.get("PLENARY_SUMMARISER_MODEL") or None,
        "PLENARY_SUMMARISER_KEY": env.get("PLENARY_SUMMARISER_KEY") or None,
        "PLENARY_SUMMARISER_TIMEOUT": _int_env(env, "PLENARY_SUMMARISER_TIMEOUT", 30),
        # Only `plenary db upgrade` and `plenary demo` create a missing SQLite file (app/cli.py).
        "SQLITE_MAY_CREATE": env.get("PLENARY_SQLITE_CREATE") == "1",
    }


def config_for_tests(database_url: str, **overrides: Any) -> dict[str, Any]:
    """A configuration for tests: an explicit database, limits in memory, tasks run inline."""
    config = {
        "TESTING": True,
        "PLENARY_ENV": "test",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "HUEY_IMMEDIATE": True,
        "PUBLIC_URL": "http://localhost",
        "SQLITE_MAY_CREATE": True,
        # A FAKE embedder (app/embedding/engine.py HashingEmbedder): loading the real model
        # takes seconds; the tests marked `model` switch it off to prove the real path.
        "PLENARY_FAKE_EMBEDDER": True,
        # The same scrypt as in production at a 32nd of its cost (N=1024: about 4 ms a hash
        # instead of 120): the suite creates and logs in thousands of accounts.
        # tests/accounts/test_login.py checks that every other configuration hashes at full cost.
        "PLENARY_PASSWORD_HASH": "scrypt:1024:8:1",
    }
    config.update(overrides)
    return config

"""Background tasks with Huey: SQLite storage by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context
from huey import Huey
from huey.api import crontab
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage
from redis.exceptions import RedisError

# What enqueueing raises when the queue's storage cannot be reached (Redis down, huey.db locked).
QUEUE_ERRORS: tuple[type[Exception], ...] = (RedisError, sqlite3.Error)


def _storage(app: Flask) -> tuple[type[BaseStorage], dict[str, Any]]:
    """Redis when REDIS_URL is set; otherwise a SQLite queue file beside the SQLite database
    (or in the instance folder when the database is PostgreSQL), never in the source tree."""
    if app.config.get("REDIS_URL"):
        return RedisStorage, {"url": app.config["REDIS_URL"]}
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    database = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else ""
    if database and database != ":memory:":
        folder = Path(database).resolve().parent
    else:
        folder = Path(os.environ.get("PLENARY_INSTANCE_PATH") or app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteStorage, {"filename": str(folder / "huey.db")}


# Tasks are declared at import time; where their queue lives is only known once an app is
# configured, so `init_tasks` gives the queue its storage.
huey = Huey("plenary", storage_class=MemoryStorage)
_app: list[Flask] = []  # the application tasks run in (the worker's, or the web process's)


def init_tasks(app: Flask) -> None:
    """Give the queue its storage and run tasks inline (tests, HUEY_IMMEDIATE) or through the
    queue, in `app`'s context."""
    huey.storage_class, huey.storage_kwargs = _storage(app)
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    huey.storage = huey.create_storage()
    _app[:] = [app]


def _in_app_context(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context() or not _app:
            return func(*args, **kwargs)
        with _app[0].app_context():
            return func(*args, **kwargs)

    return run


def app_task(**task_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Huey task that runs inside an application context (the caller's, or a new app's)."""

    def decorate(func: Callable[..., Any]) -> Any:
        return huey.task(**task_options)(_in_app_context(func))

    return decorate


def app_periodic_task(minutes: str = "*") -> Callable[[Callable[..., Any]], Any]:
    """A Huey periodic task (run by every `plenary worker` consumer on the crontab `minutes`)
    inside an application context. Consumers on several hosts each run it: make it idempotent."""

    def decorate(func: Callable[..., Any]) -> Any:
        return huey.periodic_task(crontab(minute=minutes))(_in_app_context(func))

    return decorate


def start_worker_threads(workers: int = 1) -> Any:
    """Run the task consumer in threads of this process (the demo's all-in-one server), so
    that syntheses queued from its pages finish without a separate `plenary worker`. The
    consumer's own signal handlers are taken back, so that Ctrl+C still stops the server."""
    import signal

    from huey.consumer import Consumer

    huey.immediate = False
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    consumer = Consumer(huey, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    return consumer

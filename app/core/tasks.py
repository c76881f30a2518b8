"""Background tasks with Huey: SQLite storage by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey


def _make_huey() -> Huey:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("plenary", url=redis_url)
    folder = Path(os.environ.get("PLENARY_INSTANCE_PATH") or Path(__file__).resolve().parents[2] / "instance")
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("plenary", filename=str(folder / "huey.db"))


huey = _make_huey()


def init_tasks(app: Flask) -> None:
    """Run tasks inline (tests, HUEY_IMMEDIATE) or through the queue."""
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))


def app_task(**task_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Huey task that runs inside an application context (the caller's, or a new app's)."""

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return func(*args, **kwargs)
            from app import create_app

            with create_app().app_context():
                return func(*args, **kwargs)

        return huey.task(**task_options)(run)

    return decorate


def queue_is_inline() -> bool:
    return bool(current_app.config.get("HUEY_IMMEDIATE"))

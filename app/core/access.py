"""One way in: who may reach a view, checked before it runs.

Routes read load → check → act: they load the object (a loader raises NotFound), check the
caller with a pure permission function (`app/*/permissions.py`), then call a service and
commit once. `require` covers the views whose check needs no object (the secretariat's
pages, the chairs' workspace); `check` states the per-object checks in one line.

A refused caller sees 404, as if the page did not exist (or, with `login=True`, the public is
sent to the login page first). Refusals are written to the `plenary.security` log, not to the
audit table: a GET never writes to the database (docs/security.md).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_login import current_user

from app.core.errors import DomainError, NotFound
from app.core.extensions import client_address, login_manager

security_log = logging.getLogger("plenary.security")
View = TypeVar("View", bound=Callable[..., Any])


def log_refusal(what: str = "") -> None:
    """One line on the security log: who was refused what."""
    user = getattr(current_user, "id", None) if current_user.is_authenticated else None
    security_log.info(
        "refused %s %s user=%s address=%s %s",
        request.method, request.path, user, client_address(), what,
    )


def require(predicate: Callable[[Any], bool], *, login: bool = False) -> Callable[[View], View]:
    """Let the view run only when `predicate(current_user)` holds; otherwise 404 (or, with
    `login`, the login page for the public). Raises, never writes."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not predicate(current_user):
                if login and not current_user.is_authenticated:
                    return login_manager.unauthorized()
                log_refusal()
                raise NotFound()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def check(allowed: bool, refusal: DomainError | None = None) -> None:
    """Raise `refusal` (default: NotFound, so that nothing is revealed) unless `allowed`."""
    if not allowed:
        log_refusal(type(refusal).__name__ if refusal else "")
        raise refusal or NotFound()

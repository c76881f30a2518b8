"""Domain errors, raised by services and turned into HTTP answers in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of the errors a service raises for a user's mistake or a refused action."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, detail: Any = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class BadInput(DomainError):
    status = 400
    code = "bad_input"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"

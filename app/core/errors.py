"""Domain errors, raised by services and turned into HTTP answers in one place."""

from __future__ import annotations

from typing import Any

from app.core.i18n import Message


class DomainError(Exception):
    """Base of the errors a service raises for a user's mistake or a refused action."""

    status = 400
    code = "bad_request"
    default = "The request cannot be carried out."

    def __init__(self, message: str | None = None, detail: Any = None, **values: Any):
        """`message` is English, marked with `N_`; with `values` it is a template
        (`BadInput(N_("A title may have at most %(limit)s characters."), limit=200)`), and
        `self.message` a `Message`: English in the API, translated on a page."""
        message = message or self.default
        if values:
            message = Message(message, **values)
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
    default = "There is nothing here, or you may not see it."


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthorised(DomainError):
    """No account, or a bad token, where one is needed (401 in the API)."""

    status = 401
    code = "unauthorised"


class TooLarge(DomainError):
    """A body, comment or proposal past its documented limit (413)."""

    status = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class Unavailable(DomainError):
    """A part the request needs cannot be used now (the embedding model cannot be loaded)."""

    status = 503
    code = "unavailable"

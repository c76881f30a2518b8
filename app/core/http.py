"""Error pages and JSON errors, in one place: no user ever sees a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter

from app.core.db import db
from app.core.errors import BadInput, DomainError
from app.core.extensions import login_manager
from app.core.i18n import N_, translated
from app.core.text import string_problem

TITLES = {
    400: N_("Bad request"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    415: N_("Unsupported media type"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
    503: N_("Temporarily unavailable"),
}
# Our own description of every status we answer (never Werkzeug's English one).
MESSAGES = {
    400: N_("The request could not be understood. Please go back, reload the page and try "
            "again."),
    401: N_("You need to log in to do that."),
    403: N_("Your account may not do that."),
    404: N_("There is nothing here, or you may not see it."),
    405: N_("This address cannot be used that way. Please go back and use the page's links "
            "and buttons."),
    409: N_("That conflicts with the current state. Please reload the page and try again."),
    413: N_("What you sent is larger than we accept."),
    415: N_("What you sent is not in a format we accept."),
    429: N_("Too many attempts. Please wait a minute and try again."),
    500: N_("An unexpected error occurred. It has been logged and nothing you sent was "
            "half-saved."),
    503: N_("The service is briefly unavailable. Nothing was saved; please try again shortly."),
}
OTHER = N_("The request cannot be carried out.")  # a status without a message of its own
ERROR = N_("Error")

PLAIN_503 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Temporarily unavailable</title></head><body><main><h1>Temporarily unavailable</h1>"
    f"<p>{MESSAGES[503]}</p></main></body></html>"
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


# Form fields never shown back on an error page: secrets, and what the page itself sent.
_NOT_ECHOED = ("password", "token", "csrf", "secret")


def typed_texts() -> list[str]:
    """The free text a refused POST carried (a comment, an answer, a note), to show it back on
    the error page so that nothing typed is lost; never a password, token or CSRF field."""
    if request.method != "POST" or not request.form:
        return []
    return [value for key, value in request.form.items(multi=True)
            if not any(word in key.lower() for word in _NOT_ECHOED)
            and len(value.strip()) >= 20 and " " in value.strip()]


def error_response(status: int, message: str | None = None, detail: Any = None) -> Response:
    """A JSON error under /api (in English, as the API is described), an HTML page elsewhere
    (in the reader's language where the message is in the catalogue)."""
    message = message or MESSAGES.get(status) or TITLES.get(status, ERROR)
    if wants_json():
        response = jsonify({"error": message, "detail": detail})
    else:
        response = Response(
            render_template(
                "errors/error.html",
                status=status,
                title=gettext(TITLES.get(status, ERROR)),
                message=translated(message),
                typed=typed_texts() if status != 413 else [],
            )
        )
    response.status_code = status
    return response


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` answering 404 for a number past our id columns (signed 32-bit).

    Unbounded, such a number reached the database and failed there (SQLite OverflowError,
    PostgreSQL "integer out of range"): a 500 for a URL anyone can type. A `max` on the
    converter would make Werkzeug answer 405 instead, so the refusal is a plain 404 here.
    """

    LIMIT = 2**31 - 1

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if number > self.LIMIT:
            raise NotFound()
        return number


def init_url_converters(app: Flask) -> None:
    """Install the bounded `int` converter (call before any blueprint is registered)."""
    app.url_map.converters["int"] = DatabaseIntegerConverter


def init_retry_after(app: Flask) -> None:
    """Our own Retry-After (5 s on a 503, 60 s on a 429) wins over the rate limiter's, whose
    headers describe its window, not the outage. Call before the limiter is initialised: the
    after-request functions registered first run last."""

    @app.after_request
    def _retry_after(response: Response) -> Response:
        if "retry_after" in g:
            response.headers["Retry-After"] = g.retry_after
        return response


def init_input_checks(app: Flask) -> None:
    """Refuse, before any view runs, query strings and form fields that the database cannot
    store (NUL characters, unpaired surrogates): 400, not a 500 from PostgreSQL."""

    @app.before_request
    def _storable_text() -> None:
        values = list(request.args.values())
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += list(request.form.values())
        for value in values:
            if problem := string_problem(value):
                raise BadInput(problem)


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        db.session.rollback()
        return error_response(error.status, error.message, error.detail)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return error_response(
            400,
            N_("The form expired or was not sent from this site. "
               "Please go back, reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        if status == 413:
            # The body was refused while being read: pretend it was empty, so that the page's
            # own forms (the log-out button) do not read it again and fail inside this handler.
            request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict())
        # Werkzeug's descriptions are English only: every page says our own, translated.
        response = error_response(status, MESSAGES.get(status) or OTHER)
        if status == 429:
            g.retry_after = "60"
        return response

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _number_out_of_range(error: Exception) -> Response:
        """A number in the query string or a form too large for the database (SQLite's
        OverflowError, PostgreSQL's "out of range"): the visitor's mistake, not a 500."""
        if isinstance(error, DataError) and "out of range" not in str(error.orig):
            return _unexpected(error)
        app.logger.warning("number out of range answered 400: %s", error)  # seen, if ours
        db.session.rollback()
        return error_response(400, N_("A number in the request is too large."))

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Response:
        app.logger.warning("database unavailable: %s", error.orig)
        db.session.rollback()
        # The page is rendered as for a visitor: loading the signed-in user needs the database,
        # and failing again inside this handler would turn the 503 into a bare 500.
        g._login_user = login_manager.anonymous_user()
        try:
            response = error_response(503)
        except OperationalError:
            db.session.rollback()
            response = Response(PLAIN_503, mimetype="text/html")
        g.retry_after = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_response(500)

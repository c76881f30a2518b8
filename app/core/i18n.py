"""French and English: the interface in the reader's language (drafts and comments stay as
written).

The language is the one remembered in the `plenary_lang` cookie (set by the switcher in the
footer), else the browser's best match from Accept-Language, else English. Strings are marked
with `_()` (templates and code) or `lazy_gettext` (form labels, module constants); catalogues
are in app/translations (`make translations` extracts and updates them;
tests/core/test_i18n.py fails on any string without a French translation).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
    ngettext,
)
from markupsafe import Markup

LANGUAGES = {"en": "English", "fr": "Français"}
COOKIE = "plenary_lang"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

babel = Babel()


def select_locale() -> str:
    """The cookie's language, else the browser's preferred one we have, else English (also
    outside a request: the command line and background tasks)."""
    if not has_request_context():
        return "en"
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def language() -> str:
    """The language of this request ("en" or "fr")."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_of(user: Any) -> str:
    """The language an account is written to when it is not reading a page (e-mail, its
    feed): the one it chose (`users.locale`), else English."""
    chosen = getattr(user, "locale", None)
    return str(chosen) if chosen in LANGUAGES else "en"


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here: it is translated where it is
    shown (an error page), and stays English where English is the contract (the JSON API)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a count's two English forms for extraction as one plural entry (`make
    translations` extracts with `-k NP_:1,2`), for `Message(*NP_(...), n=...)`."""
    return singular, plural


class Number(int):
    """A count or a limit inside a `Message`: "2,000" in English, "2 000" on a French page."""

    def __str__(self) -> str:
        return f"{int(self):,}"


class Message(str):
    """A sentence with named values, marked for translation (`N_`'s msgid is `template`).

    It *is* the English sentence (the JSON API, the command line, the log and stored rows keep
    it byte for byte); `translated()` writes it in the reader's language on a page, values
    included (a `Message` among the values is translated too, a `Number` written the
    reader's way). Values are given as they are, quoted with `%(name)r` where the English
    quotes them. A count: `Message(*NP_("%(count)s row", "%(count)s rows"), n=2,
    count=Number(2))` (the plural form is chosen by `n`, in the reader's language).
    """

    template: str
    plural: str | None
    n: int
    values: dict[str, Any]

    def __new__(cls, template: str, plural: str | None = None, n: int = 1,
                **values: Any) -> Message:
        english = plural if plural is not None and n != 1 else template
        message = super().__new__(cls, english % values if values else english)
        message.template, message.plural, message.n, message.values = template, plural, n, values
        return message

    def translated(self) -> str:
        values = {name: _shown(value) for name, value in self.values.items()}
        if self.plural is not None:
            return str(ngettext(self.template, self.plural, self.n, **values))
        return str(gettext(self.template, **values)) if values else str(gettext(self.template))


def _shown(value: Any) -> Any:
    if isinstance(value, Message):
        return value.translated()
    if isinstance(value, Number):
        return format_decimal(int(value))
    return value


def translated(message: str) -> str:
    """A message for a page: a `Message` in the reader's language, a plain string looked up in
    the catalogue (a `N_` constant) and left as it is when it is not there."""
    if isinstance(message, Message):
        return message.translated()
    return str(gettext(message))


def day(value: date | datetime | None, form: str = "d MMMM y") -> str:
    """A date as the reader's language writes it ("19 December 2024", "19 décembre 2024")."""
    return "" if value is None else format_date(value, form)


def bdi(value: Any) -> Markup:
    """Someone's own words (a name, an organisation) set in a sentence of ours, isolated: a
    direction mark in them turns no text around them ("by <bdi>name</bdi>, 3 May")."""
    return Markup("<bdi>{}</bdi>").format(value)


def short_day(value: date | datetime | None) -> str:
    """A short date ("19 Dec 2024", "19 déc. 2024")."""
    return day(value, "d MMM y")


def moment(value: datetime | None) -> str:
    """A date and time in UTC ("19 December 2024, 12:00 UTC")."""
    return "" if value is None else format_datetime(value, "d MMMM y, HH:mm 'UTC'")


def number(value: float | int | None) -> str:
    """A number with the reader's separators ("12,345", "12 345")."""
    return "" if value is None else format_decimal(value)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))

    @app.context_processor
    def _i18n() -> dict[str, Any]:
        return {"language": language, "LANGUAGES": LANGUAGES, "format_date": format_date,
                "format_datetime": format_datetime, "format_number": format_decimal}

    @app.after_request
    def _vary(response: Any) -> Any:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    app.jinja_env.filters.update(day=day, short_day=short_day, moment=moment, number=number,
                                 translated=translated, bdi=bdi)

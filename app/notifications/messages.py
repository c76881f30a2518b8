"""What a notification says, kept as a message id and its values, and written in the reader's
language when it is shown (the page, the feed, e-mail).

A notification stores `message`: `{"title": {"id": …, "params": {…}}, "body": {…}}` (a part
may be missing: a body that is what someone wrote, a decision's reason, is shown as stored).
The values are kept as they were when the news was made: names of rounds, codes and
provisions as written, and typed values written the reader's way when shown
(`{"moment": iso}` a date and time, `{"outcome": key}` a decision or an answer's outcome,
`{"phrase": key}` one of PHRASES). Beside it the English text stays in `title` and `body`:
for the personal data export, and as the fallback when an id is unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.core.i18n import moment
from app.feedback.names import outcome_name

# Every message a notification can say, by a stable id (the English text may be reworded
# without losing older notifications). Keep the English as it was first written: notices
# stored before messages were kept are recognised by it (app/notifications/legacy.py).
MESSAGES = {
    "carried.title": _l("Your comment on %(provision)s was carried into %(round)s"),
    "carried.anchored": _l("It is re-anchored: the passage you commented on is still there, "
                           "in %(new)s."),
    "carried.moved": _l("It moved to %(new)s."),
    "carried.orphaned": _l("It is orphaned: the passage or provision it was about is gone "
                           "from this draft. It is kept as you sent it."),
    "published.title": _l("%(code)s: %(round)s is published"),
    "published.changes": _l("What changed since %(previous)s, with the feedback behind each "
                            "change."),
    "published.first": _l("The first draft of this code."),
    "decided.title": _l("The chairs decided on your proposed wording for %(provision)s: "
                        "%(decision)s"),
    "decided.changed": _l("The chairs changed their decision on your proposed wording for "
                          "%(provision)s: %(decision)s"),
    "answered.title": _l("The chairs answered “%(theme)s”: %(outcome)s"),
    "answered.untitled": _l("The chairs answered a theme: %(outcome)s"),
    "answered.body": _l("One of your comments on %(round)s is part of this theme. %(reason)s"),
    "opened.title": _l("Feedback on %(code)s, %(round)s, is open"),
    "opened.body": _l("You can comment until %(closes)s."),
    "closing.title": _l("Feedback on %(code)s, %(round)s, closes soon"),
    "closing.body": _l("The consultation closes on %(closes)s."),
}
PHRASES = {"this_draft": _l("this draft")}


@dataclass(frozen=True)
class Notice:
    """One message of MESSAGES with its values: str (as written), dt.datetime (a moment),
    Outcome or Phrase."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.id not in MESSAGES:
            raise ValueError(f"unknown notification message {self.id!r}")


@dataclass(frozen=True)
class Outcome:
    """A decision on a proposal or an answer's outcome, by its key ("not_taken_up")."""

    key: str


@dataclass(frozen=True)
class Phrase:
    """A few words of PHRASES, by key ("this_draft")."""

    key: str


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"moment": value.astimezone(dt.UTC).isoformat()}
    if isinstance(value, Outcome):
        return {"outcome": value.key}
    if isinstance(value, Phrase):
        return {"phrase": value.key}
    return "" if value is None else str(value)


def _decode(value: Any) -> str:
    """A stored value as the current language writes it."""
    if not isinstance(value, dict):
        return str(value)
    if "moment" in value:
        try:
            return moment(dt.datetime.fromisoformat(value["moment"]))
        except (TypeError, ValueError):
            return str(value["moment"])
    if "outcome" in value:
        return outcome_name(str(value["outcome"])).lower()
    if "phrase" in value:
        key = str(value["phrase"])
        return str(PHRASES[key]) if key in PHRASES else key
    return ""


def _kept(message: Notice) -> dict[str, Any]:
    """One part of the `message` column: the id and the values as JSON."""
    return {"id": message.id, "params": {k: _encode(v) for k, v in message.params.items()}}


def stored(title: str | Notice, body: str | Notice) -> dict[str, Any] | None:
    """The `message` column for a title and body (None when both are plain text)."""
    out = {part: _kept(text) for part, text in (("title", title), ("body", body))
           if isinstance(text, Notice)}
    return out or None


def render(part: Any) -> str | None:
    """A stored part in the current language; None when it cannot be (unknown id, missing or
    malformed values): the caller falls back to the stored English."""
    if not isinstance(part, dict) or part.get("id") not in MESSAGES:
        return None
    params = part.get("params")
    if not isinstance(params, dict):
        return None
    try:
        return str(MESSAGES[part["id"]]) % {k: _decode(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return None


def english(text: str | Notice) -> str:
    """The English text (what `title` and `body` store, whatever the page's language)."""
    if not isinstance(text, Notice):
        return text
    with force_locale("en"):
        return render(_kept(text)) or ""


# Notices stored before messages were kept hold only their English text: they are recognised
# by it (what each kind could say, in the words of MESSAGES), so that they too are shown in
# the reader's language; text that matches none is shown as stored.
EARLIER = {
    "comment_carried": (("carried.title",),
                        ("carried.anchored", "carried.moved", "carried.orphaned")),
    "round_published": (("published.title",), ("published.changes", "published.first")),
    "proposal_decided": (("decided.title", "decided.changed"), ()),
    "theme_answered": (("answered.title",), ("answered.body",)),
    "window_opened": (("opened.title",), ("opened.body",)),
    "window_closing": (("closing.title",), ("closing.body",)),
}
OUTCOME_KEYS = {"accepted": "accepted", "partly accepted": "partly_accepted",
                "not taken up": "not_taken_up", "out of scope": "out_of_scope",
                "not decided yet": "undecided"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# What a typed value looked like in the English of earlier notices.
WRITTEN = {"decision": "|".join(map(re.escape, OUTCOME_KEYS)),
           "closes": r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC"}
WRITTEN["outcome"] = WRITTEN["decision"]


@cache
def _english_source(message_id: str) -> tuple[str, ...]:
    """A message's English, split into text and placeholder names (alternately)."""
    with force_locale("en"):
        return tuple(PLACEHOLDER.split(str(MESSAGES[message_id]).replace("%%", "%")))


def _pattern(message_id: str, hints: Mapping[str, str]) -> re.Pattern[str]:
    """A message's English as a pattern: each value a group, or the hinted value itself."""
    out = []
    for i, piece in enumerate(_english_source(message_id)):
        if i % 2 == 0:
            out.append(re.escape(piece))
        else:
            value = re.escape(hints[piece]) if piece in hints else WRITTEN.get(piece, ".*?")
            out.append(f"(?P<{piece}>{value})")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _typed(name: str, value: str) -> Any:
    if name in ("decision", "outcome") and value in OUTCOME_KEYS:
        return Outcome(OUTCOME_KEYS[value])
    if name == "closes":
        try:
            return dt.datetime.strptime(value, "%d %B %Y, %H:%M UTC").replace(tzinfo=dt.UTC)
        except ValueError:
            return value
    if name == "new" and value == "this draft":
        return Phrase("this_draft")
    return value


def recognise(kind: str, part: str, text: str,
              hints: Mapping[str, str] | None = None) -> Notice | None:
    """The message an earlier notice's English `text` says (`part` "title" or "body"), or
    None. `hints` (the round's name, the code's title) settle values that hold a separator."""
    titles, bodies = EARLIER.get(kind, ((), ()))
    for message_id in titles if part == "title" else bodies:
        for tried in ({k: v for k, v in (hints or {}).items() if v}, {}):
            found = _pattern(message_id, tried).match(text)
            if found is None:
                continue
            params = {k: _typed(k, v) for k, v in found.groupdict().items()}
            if message_id == "answered.title" and params.get("theme") == "a theme":
                return Notice("answered.untitled", {"outcome": params["outcome"]})
            return Notice(message_id, params)
    return None


def shown(notification: Any, part: str) -> str:
    """A notification's title or body (`part`) in the current language: its message, else
    its earlier English recognised, else the text as stored."""
    text = getattr(notification, part) or ""
    kept = (notification.message or {}).get(part)
    if kept is not None:
        return render(kept) or text
    if notification.message is not None or not text:
        return text  # a body as written (a decision's reason), or nothing
    round_ = notification.round
    hints = {"round": round_.name, "code": round_.code.title} if round_ is not None else {}
    earlier = recognise(notification.kind, part, text, hints)
    return (render(_kept(earlier)) if earlier is not None else None) or text

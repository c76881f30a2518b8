"""Text that the databases can store: no NUL characters, no unpaired surrogates.

PostgreSQL refuses NUL in text and psycopg cannot encode a lone surrogate ("\\udc00", which
JSON allows); both would reach the database as a 500. They are refused at the door instead:
`text_problem` says why a value (or anything inside a JSON document) is unacceptable.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from app.core.i18n import N_

NUL = "\x00"


def blank(text: str) -> bool:
    """Whether `text` shows nothing: only spaces and invisible characters (a zero-width space,
    direction marks), which are no comment, reason, title or name."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")
               for ch in text)


def string_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if NUL in text:
        return N_("Text may not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return N_("Text must be valid Unicode (it holds an unpaired surrogate).")
    return None


def text_problem(value: Any) -> str | None:
    """The first problem in a JSON-like value (strings, keys, numbers, lists, dicts), walked
    without recursion so that any depth is safe; None when everything can be stored."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if problem := string_problem(item):
                return problem
        elif isinstance(item, float) and not math.isfinite(item):
            return N_("Numbers must be finite.")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None

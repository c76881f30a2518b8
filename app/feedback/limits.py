"""What a comment may hold: its text counted as it is stored, and the limits, each refused
whole with a message naming it (docs/feedback.md, "Limits"). Nothing is ever cut."""

from __future__ import annotations

from app.core.errors import BadInput, TooLarge
from app.core.i18n import N_
from app.feedback.models import BODY_LIMIT, PROPOSAL_LIMIT, STANCES


def normalise_text(value: str | None) -> str:
    """Text as it is stored and counted: line breaks as "\\n" (a browser sends a textarea's
    as "\\r\\n", which would count twice) and no surrounding whitespace."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def length_problem(what: str, field: str, text: str, limit: int) -> TooLarge | None:
    """A TooLarge naming the limit when `text` (normalised) is longer than it, else None.
    Nothing is ever cut: an over-long text is refused whole and its author keeps it."""
    length = len(text)
    if length <= limit:
        return None
    return TooLarge(
        f"{what} has {length:,} characters: at most {limit:,} are accepted. "
        f"Shorten it by {length - limit:,} character{'s' if length - limit != 1 else ''}.",
        {"field": field, "limit": limit, "length": length},
    )


def clean_body(body: str | None) -> str:
    text = normalise_text(body)
    if not text:
        raise BadInput(N_("Write a comment: the body may not be empty."))
    if problem := length_problem("The comment", "body", text, BODY_LIMIT):
        raise problem
    return text


def clean_proposal(proposed: str | None) -> str | None:
    text = normalise_text(proposed)
    if not text:
        return None
    if problem := length_problem("The proposed wording", "proposed_text", text, PROPOSAL_LIMIT):
        raise problem
    return text


def clean_stance(stance: str | None) -> str:
    if stance not in STANCES:
        raise BadInput(f"Unknown stance {stance!r}: use one of {', '.join(STANCES)}.")
    return stance

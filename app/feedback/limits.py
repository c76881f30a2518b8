"""What a comment may hold: its text counted as it is stored, and the limits, each refused
whole with a message naming it (docs/feedback.md, "Limits"). Nothing is ever cut."""

from __future__ import annotations

from app.core.errors import BadInput, TooLarge
from app.core.i18n import N_, NP_, Message, Number
from app.core.text import blank
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
    excess = length - limit
    return TooLarge(
        N_("%(what)s has %(length)s characters: at most %(limit)s are accepted. "
           "Shorten it by %(excess)s."),
        {"field": field, "limit": limit, "length": length},
        what=Message(what), length=Number(length), limit=Number(limit),
        excess=Message(*NP_("%(count)s character", "%(count)s characters"), n=excess,
                       count=Number(excess)),
    )


def clean_body(body: str | None) -> str:
    text = normalise_text(body)
    if blank(text):
        raise BadInput(N_("Write a comment: the body may not be empty."))
    if problem := length_problem(N_("The comment"), "body", text, BODY_LIMIT):
        raise problem
    return text


def clean_proposal(proposed: str | None) -> str | None:
    text = normalise_text(proposed)
    if blank(text):  # nothing, or only invisible characters: no wording proposed
        return None
    if problem := length_problem(N_("The proposed wording"), "proposed_text", text,
                                 PROPOSAL_LIMIT):
        raise problem
    return text


def clean_stance(stance: str | None) -> str:
    if not stance:
        raise BadInput(N_("Choose a stance: one of %(stances)s."), stances=", ".join(STANCES))
    if stance not in STANCES:
        raise BadInput(N_("Unknown stance %(stance)r: use one of %(stances)s."), stance=stance,
                       stances=", ".join(STANCES))
    return stance

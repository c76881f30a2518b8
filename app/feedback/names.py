"""The feedback domain's words in the reader's language: stances, a comment's status, the
chairs' decisions. The stored values (and the JSON API) stay the English keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

STANCE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "amend": _l("Amend"),
                 "question": _l("Question"), "neutral": _l("Neutral")}
STATUS_LABELS = {"open": _l("open"), "closed": _l("closed"), "withdrawn": _l("withdrawn"),
                 "re-anchored": _l("re-anchored"), "moved": _l("moved"),
                 "orphaned": _l("orphaned")}
OUTCOME_LABELS = {"accepted": _l("Accepted"), "partly_accepted": _l("Partly accepted"),
                  "not_taken_up": _l("Not taken up"), "out_of_scope": _l("Out of scope"),
                  "undecided": _l("Not decided yet")}


def stance_label(stance: str) -> str:
    """A comment's stance in the reader's language ("Support", "Soutien")."""
    return str(STANCE_LABELS.get(stance, stance.capitalize()))


def stance_name(stance: str) -> str:
    """A stance as a badge shows it, in lower case ("support", "soutien")."""
    return stance_label(stance).lower()


def status_name(status: str) -> str:
    """A comment's status in a word of the reader's language ("withdrawn", "retiré")."""
    return str(STATUS_LABELS.get(status, status))


def outcome_name(outcome: str | None) -> str:
    """The chairs' decision on a proposal ("Accepted", "Retenue"); undecided without one."""
    key = outcome or "undecided"
    return str(OUTCOME_LABELS.get(key, key))


def _counted(message: Callable[[int], str]) -> dict[str, str]:
    """A count's message for 0, 1 and more (the forms differ between English and French)."""
    return {"zero": message(0), "one": message(1), "other": message(2)}


def script_messages() -> dict[str, Any]:
    """What feedback.js says, in the reader's language (`{n}` stands for a number the script
    writes in): passed to it in a data- attribute of its script tag."""
    return {
        "limit": gettext("You can enter up to %(num)s characters.", num="{n}"),
        "over": _counted(lambda n: ngettext("You have {n} character too many",
                                            "You have {n} characters too many", n)),
        "left": _counted(lambda n: ngettext("You have {n} character remaining",
                                            "You have {n} characters remaining", n)),
        "marks": _counted(lambda n: ngettext("Passage with {n} comment: show it",
                                             "Passage with {n} comments: show them", n)),
        "heading": _counted(lambda n: ngettext("{n} comment on this passage",
                                               "{n} comments on this passage", n)),
        "restored": gettext("The text you were writing here was not sent: it is restored below."),
        "close": gettext("Close"),
        "thread": gettext("Go to this comment and its replies"),
    }

"""A synthesis run's message in the reader's language.

A run stores its message in English (`figures.summary`, `services.fail_run`, the worker's
`tasks.ABANDONED_MESSAGE`): the command line prints it as it is, and rows stored before stay
as they were. The run page reads the known shapes back, values included, and writes them with
the catalogue; a message of any other shape is shown as stored.
"""

from __future__ import annotations

import re

from flask_babel import gettext, ngettext

from app.core.i18n import N_

# Messages without values, as the pipeline stores them.
FIXED = (
    N_("There are no comments in this scope yet."),
    N_("Only one comment in this scope: it forms a single theme of its own."),
    N_("The worker stopped before this synthesis finished; run it again."),
)
SUMMARY = re.compile(
    r"(?P<comments>\d+) comments in (?P<themes>\d+) themes?, (?P<unassigned>\d+) unassigned; "
    r"(?P<campaigns>\d+) campaigns?, (?P<voices>\d+) independent voices? "
    r"\(a campaign counts as one\)\.\Z"
)
FAILED = re.compile(r"The synthesis failed: (?P<error>.*)\Z", re.DOTALL)


def run_message(stored: str) -> str:
    """`stored` (a run's English message) in the reader's language where its shape is known."""
    if stored in FIXED:
        return gettext(stored)
    if match := SUMMARY.match(stored):
        n = {name: int(value) for name, value in match.groupdict().items()}
        return gettext(
            "%(comments)s in %(themes)s, %(unassigned)s; %(campaigns)s, %(voices)s "
            "(a campaign counts as one).",
            comments=ngettext("%(num)s comment", "%(num)s comments", n["comments"]),
            themes=ngettext("%(num)s theme", "%(num)s themes", n["themes"]),
            unassigned=ngettext("%(num)s unassigned", "%(num)s unassigned", n["unassigned"]),
            campaigns=ngettext("%(num)s campaign", "%(num)s campaigns", n["campaigns"]),
            voices=ngettext("%(num)s independent voice", "%(num)s independent voices",
                            n["voices"]),
        )
    if match := FAILED.match(stored):
        # The error itself is the program's (an exception's text): shown as it came.
        return gettext("The synthesis failed: %(error)s", error=match["error"])
    return stored

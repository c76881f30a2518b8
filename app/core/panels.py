"""Fragments other domains add to a provision's page (comments, history), kept decoupled.

Each provider takes (provision, user) and returns rendered HTML (markupsafe.Markup) or "".
Registered at import time by the domain's routes module; shown in the order of their
`panel_order` attribute (default 50: the history; what became of the feedback 55; the
comments 60), whatever order the modules were imported in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PROVISION_PANELS: list[Callable[[Any, Any], str]] = []


def provision_panels(provision: Any, user: Any) -> list[str]:
    ordered = sorted(PROVISION_PANELS, key=lambda provider: getattr(provider, "panel_order", 50))
    return [html for provider in ordered if (html := provider(provision, user))]


# Numbers other domains attach to each provision of a round's contents (comments one may see).
# Each provider takes (round, user) and returns {provision id: (label, count)}.
ROUND_COUNTS: list[Callable[[Any, Any], dict[int, tuple[str, int]]]] = []


def round_counts(round_: Any, user: Any) -> dict[int, list[tuple[str, int]]]:
    """Every provider's numbers for the provisions of `round_`, by provision id."""
    merged: dict[int, list[tuple[str, int]]] = {}
    for provider in ROUND_COUNTS:
        for provision_id, item in provider(round_, user).items():
            merged.setdefault(provision_id, []).append(item)
    return merged


# What the earlier version of each entry of a comparison received, and what became of it.
# Each provider takes (comparison, user) and returns {entry anchor: a view model}, which the
# macros of templates/macros/accountability.html render (docs/feedback.md, "Accountability").
COMPARISON_NOTES: list[Callable[[Any, Any], dict[str, Any]]] = []


def comparison_notes(comparison: Any, user: Any) -> dict[str, Any]:
    notes: dict[str, Any] = {}
    if comparison is None:
        return notes
    for provider in COMPARISON_NOTES:
        notes.update(provider(comparison, user))
    return notes


# What became of each comment beyond the feedback domain (the theme it was grouped into and
# the chairs' published answer), shown on "My feedback". Each provider takes (comments, user)
# and returns {comment id: a view model} for templates/feedback/my_feedback.html.
COMMENT_FATES: list[Callable[[Any, Any], dict[int, Any]]] = []


def comment_fates(comments: Any, user: Any) -> dict[int, Any]:
    fates: dict[int, Any] = {}
    for provider in COMMENT_FATES:
        fates.update(provider(comments, user))
    return fates

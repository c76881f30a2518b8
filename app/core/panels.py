"""Fragments other domains add to a provision's page (comments, history), kept decoupled.

Each provider takes (provision, user) and returns rendered HTML (markupsafe.Markup) or "".
Registered at import time by the domain's routes module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PROVISION_PANELS: list[Callable[[Any, Any], str]] = []


def provision_panels(provision: Any, user: Any) -> list[str]:
    return [html for provider in PROVISION_PANELS if (html := provider(provision, user))]


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

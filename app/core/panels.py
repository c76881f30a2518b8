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

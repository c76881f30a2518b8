"""Navigation links contributed by each domain, shown by role in the base layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


# Each provider takes the current user and returns the links that user should see.
MAIN_NAV: list[Callable[[Any], list[NavItem]]] = []
ADMIN_NAV: list[Callable[[Any], list[NavItem]]] = []


def nav_items(user: Any) -> list[NavItem]:
    return [item for provider in MAIN_NAV for item in provider(user)]


def admin_links(user: Any) -> list[NavItem]:
    return [item for provider in ADMIN_NAV for item in provider(user)]

"""A provision as the lineage engine sees it (pure: shared by alignment.py and its helpers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """A provision as the alignment sees it; `parent` is an index in the same round."""

    index: int
    key: str | None
    kind: str
    label: str | None
    number: str | None
    title: str
    text: str
    parent: int | None

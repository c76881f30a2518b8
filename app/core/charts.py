"""Geometry of the small server-rendered SVG charts (templates/macros/charts.html).

Plain numbers in, rectangles out: no Flask, no database. The macros draw them as
`<svg role="img">` with a `<title>`, a `<desc>` and the numbers as a table, and colour them
with CSS classes (the Content-Security-Policy allows no inline styles).

A count may be shown as a string ("<5", see app/feedback/accountability.py): it is then drawn
at a nominal size, half the minimum, so that the picture cannot be measured to recover it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Shown = int | str
NOMINAL = 2.5  # how large a hidden small count is drawn


@dataclass(frozen=True)
class Segment:
    """One rectangle of a bar: what it stands for, the count as shown, where it is."""

    key: str
    label: str
    shown: Shown
    x: float
    width: float


@dataclass(frozen=True)
class Column:
    day: dt.date
    count: int
    x: float
    y: float
    height: float


def magnitude(shown: Shown) -> float:
    """The size a shown count is drawn at: itself, or NOMINAL for a hidden small count."""
    return float(shown) if isinstance(shown, int | float) else NOMINAL


def stacked(
    counts: Mapping[str, Shown], labels: Mapping[str, str], *, width: float = 100.0,
    scale: float | None = None,
) -> list[Segment]:
    """Segments of one stacked bar, in the order of `counts`, zero counts left out.

    Without `scale` the bar fills `width`; with it, one unit of count is `scale` wide (so that
    several bars share a scale, the largest filling the width)."""
    total = sum(magnitude(v) for v in counts.values() if v)
    if not total:
        return []
    unit = scale if scale is not None else width / total
    segments, x = [], 0.0
    for key, shown in counts.items():
        if not shown:
            continue
        size = magnitude(shown) * unit
        segments.append(Segment(key, labels.get(key, key), shown, round(x, 2), round(size, 2)))
        x += size
    return segments


def shared_scale(totals: Sequence[Shown], width: float = 100.0) -> float:
    """The width of one unit when the largest of `totals` fills `width`."""
    largest = max((magnitude(t) for t in totals), default=0.0)
    return width / largest if largest else 0.0


def describe(counts: Mapping[str, Shown], labels: Mapping[str, str]) -> str:
    """The counts in words, for a chart's <desc>: "support 9, oppose 14, amend 31"."""
    parts = [f"{_inner(labels.get(k, k))} {v}" for k, v in counts.items() if v]
    return ", ".join(parts) if parts else "none"


def _inner(label: str) -> str:
    """A label inside a sentence: its first letter in lower case unless it starts an acronym
    ("support", "general-purpose AI provider", but "SME or start-up")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def daily_columns(
    days: Sequence[tuple[dt.date, int]], *, column: float = 10.0, height: float = 60.0
) -> list[Column]:
    """One column per day (days without comments included as zero-height columns)."""
    peak = max((count for _, count in days), default=0)
    columns = []
    for i, (day, count) in enumerate(days):
        h = round(height * count / peak, 2) if peak else 0.0
        columns.append(Column(day, count, i * column, round(height - h, 2), h))
    return columns


def fill_days(
    counts: Mapping[dt.date, int], first: dt.date, last: dt.date
) -> list[tuple[dt.date, int]]:
    """Every day from `first` to `last` with its count (0 where none)."""
    if last < first:
        return []
    span = (last - first).days
    return [(first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
            for i in range(span + 1)]

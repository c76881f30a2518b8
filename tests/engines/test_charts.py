"""The geometry of the server-rendered charts, and the rule for small counts (no app)."""

from __future__ import annotations

import datetime as dt

from app.core import charts
from app.feedback.accountability import SMALL, small

NAMES = {"support": "Support", "oppose": "Oppose", "amend": "Amend"}


def test_a_stacked_bar_fills_its_width_in_order_and_skips_zeros() -> None:
    segments = charts.stacked({"support": 30, "oppose": 0, "amend": 10}, NAMES)
    assert [(s.key, s.x, s.width) for s in segments] == [("support", 0.0, 75.0),
                                                         ("amend", 75.0, 25.0)]
    assert segments[0].label == "Support" and segments[1].shown == 10


def test_a_hidden_small_count_is_drawn_at_a_nominal_size_whatever_it_was() -> None:
    one = charts.stacked({"support": 20, "oppose": SMALL}, NAMES)
    assert one[1].shown == SMALL and one[1].width == round(100 * 2.5 / 22.5, 2)
    # the picture is the same for 1 and for 4: it cannot be measured to recover the count
    assert one == charts.stacked({"support": 20, "oppose": small(4)}, NAMES)


def test_bars_can_share_a_scale() -> None:
    scale = charts.shared_scale([40, 10, SMALL])
    assert charts.stacked({"support": 10}, NAMES, scale=scale)[0].width == 25.0
    assert charts.shared_scale([]) == 0.0


def test_the_description_names_the_counts() -> None:
    assert charts.describe({"support": 9, "oppose": 0, "amend": SMALL}, NAMES) == \
        "support 9, amend <5"
    assert charts.describe({}, NAMES) == "none"
    categories = {"sme": "SME or start-up", "gpai": "General-purpose AI provider"}
    assert charts.describe({"sme": 7, "gpai": 12}, categories) == \
        "SME or start-up 7, general-purpose AI provider 12"


def test_days_are_filled_and_scaled_to_the_busiest() -> None:
    first = dt.date(2026, 1, 30)
    days = charts.fill_days({first: 2, first + dt.timedelta(days=2): 4}, first,
                            first + dt.timedelta(days=3))
    assert [count for _, count in days] == [2, 0, 4, 0]
    columns = charts.daily_columns(days)
    assert [c.height for c in columns] == [30.0, 0.0, 60.0, 0.0]
    assert columns[2].y == 0.0 and columns[1].x == 10.0
    assert charts.fill_days({}, first, first - dt.timedelta(days=1)) == []


def test_small_counts_are_hidden_unless_exact() -> None:
    assert [small(n) for n in (0, 1, 4, 5, 60)] == [0, SMALL, SMALL, 5, 60]
    assert small(3, exact=True) == 3


def test_small_categories_are_merged_for_the_public() -> None:
    from app.feedback.accountability import SMALLER, merge_small

    assert merge_small({"sme": 9, "industry": 2, "academia": 3}) == {"sme": 9, SMALLER: 5}
    assert merge_small({"sme": 9, "industry": 2}) == {"sme": 9, SMALLER: SMALL}
    assert merge_small({"sme": 9, "industry": 1, "academia": 2}) == {"sme": 9, SMALLER: SMALL}
    assert merge_small({"sme": 9, "industry": 2}, exact=True) == {"sme": 9, "industry": 2}

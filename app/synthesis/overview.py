"""The run page's overview: one row per theme, sorted and filtered from the query string.

Plain values in, rows out (no Flask, no database): the page passes the run's themes, the
query string's `sort`, `order` and `show`, and renders the rows as a table.

What the columns mean (docs/synthesis.md):

- *stance*: the theme's comments by stance; sorting by it orders by net support,
  (support − oppose) / comments.
- *stakeholders*: the theme's comments by category; a category is **over-represented** when
  it has at least three comments in the theme, its share of the theme is at least twice its
  share of the whole scope, and its count is at least two standard deviations (Poisson) above
  what that scope share predicts (`labels.over_represented`, stored on the theme by each run
  and edit). Sorting by it orders by the largest single category's share (the most one-sided
  first when descending).
- *campaigns*: how many of the theme's comments are copies of a campaign letter.
- *answered*: whether the chairs have recorded a response (and which).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.i18n import N_

# English names, marked with N_ and translated where the page shows them (routes.run_page).
COLUMNS = {
    "title": N_("Theme"),
    "size": N_("Comments"),
    "stance": N_("Stance"),
    "split": N_("Stakeholders"),
    "campaigns": N_("Campaign letters"),
    "answered": N_("Answered"),
}
FILTERS = {"all": N_("All themes"), "unanswered": N_("Unanswered"),
           "over": N_("With an over-represented category")}
DEFAULT_SORT, DEFAULT_ORDER = "size", "desc"
SHOWN_CATEGORIES = 3  # categories named in the stakeholder cell; the rest are "others"


@dataclass(frozen=True)
class Share:
    category: str
    count: int
    percent: int
    over: bool


@dataclass(frozen=True)
class Row:
    """One theme as the overview shows it."""

    theme: Any
    title: str
    size: int
    by_stance: dict[str, int]
    net_support: float
    shares: tuple[Share, ...]
    others: int  # comments of the categories not named
    top_share: float
    over_represented: tuple[str, ...]
    campaign_letters: int
    campaigns: int
    outcome: str | None  # the response's outcome name, None while unanswered


@dataclass(frozen=True)
class View:
    """What the query string asked for, cleaned: unknown values fall back to the default."""

    sort: str = DEFAULT_SORT
    order: str = DEFAULT_ORDER
    show: str = "all"

    def toggled(self, column: str) -> dict[str, str]:
        """Query values for the link on `column`'s header: the other order if it is the
        sorted column, else that column in its natural order (text ascending, numbers
        descending)."""
        if column == self.sort:
            order = "asc" if self.order == "desc" else "desc"
        else:
            order = "asc" if column == "title" else "desc"
        return {"sort": column, "order": order, "show": self.show}

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        return "ascending" if self.order == "asc" else "descending"


def read_view(args: Mapping[str, str]) -> View:
    """The view from a query string; anything unknown is ignored."""
    sort = args.get("sort", DEFAULT_SORT)
    order = args.get("order", DEFAULT_ORDER)
    show = args.get("show", "all")
    return View(sort if sort in COLUMNS else DEFAULT_SORT,
                order if order in ("asc", "desc") else DEFAULT_ORDER,
                show if show in FILTERS else "all")


def row_of(theme: Any) -> Row:
    """The overview row of one theme (a `Theme`, or anything with the same attributes)."""
    size = theme.size or 0
    stances = dict(theme.by_stance or {})
    categories = dict(theme.by_category or {})
    over = tuple(theme.over_represented or ())
    ordered = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    shares = tuple(Share(c, n, round(100 * n / size) if size else 0, c in over)
                   for c, n in ordered[:SHOWN_CATEGORIES])
    # An over-represented category is always named, even when it is not among the largest.
    shares += tuple(Share(c, n, round(100 * n / size) if size else 0, True)
                    for c, n in ordered[SHOWN_CATEGORIES:] if c in over)
    named = {s.category for s in shares}
    individual = theme.independent_count - theme.campaign_count
    response = theme.identity.response
    return Row(
        theme=theme, title=theme.display_label, size=size, by_stance=stances,
        net_support=((stances.get("support", 0) - stances.get("oppose", 0)) / size
                     if size else 0.0),
        shares=shares, others=sum(n for c, n in categories.items() if c not in named),
        top_share=ordered[0][1] / size if ordered and size else 0.0,
        over_represented=over,
        campaign_letters=max(0, size - individual) if theme.campaign_count else 0,
        campaigns=theme.campaign_count,
        outcome=response.outcome_name if response is not None else None,
    )


def _title_key(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).casefold()
    return re.sub(r"[^\w ]+", "", text).strip()


SORT_KEYS = {
    "title": lambda r: (_title_key(r.title),),
    "size": lambda r: (r.size,),
    "stance": lambda r: (r.net_support, r.size),
    "split": lambda r: (r.top_share, r.size),
    "campaigns": lambda r: (r.campaign_letters, r.size),
    "answered": lambda r: (r.outcome is not None, r.outcome or "", r.size),
}


def overview(themes: Sequence[Any], view: View) -> list[Row]:
    """The rows of `themes` that `view.show` keeps, in `view`'s order (ties: by the run's
    own order, largest theme first)."""
    rows = [row_of(t) for t in themes]
    if view.show == "unanswered":
        rows = [r for r in rows if r.outcome is None]
    elif view.show == "over":
        rows = [r for r in rows if r.over_represented]
    key = SORT_KEYS[view.sort]
    return sorted(rows, key=key, reverse=view.order == "desc")

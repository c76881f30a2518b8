"""The chairs' published answers as the public record keeps them ("you said, we did").

`answered_themes(round_)` gives every published answer to a theme of the round, with the
figures of its theme, in a handful of queries. A published answer never drops out: when a
re-run no longer finds the theme, or chairs merged it into another, the answer stays, with the
figures of the theme it is now part of (`merged_into`) or the last ones it had (`current` is
then False). `answers_about` says which answers concern a provision: those whose theme holds
comments on it, and those the chairs linked to a provision of the next round by key.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.audit import AuditEvent
from app.core.db import db
from app.drafting.models import Provision, Round
from app.feedback.accountability import PROPOSAL_KEYS
from app.feedback.models import Comment
from app.synthesis.models import (
    OUTCOME_NAMES,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
    ThemeResponse,
)

TAKEN_UP = ("accepted", "partly_accepted")
# The chairs' edits that change a finished run's themes in place (all audit-logged).
EDITS = ("synthesis.theme.rename", "synthesis.theme.merge", "synthesis.theme.split",
         "synthesis.comment.move", "synthesis.theme.relevance", "synthesis.theme.respond")
CACHE_SIZE = 64
_CACHE: OrderedDict[int, tuple[tuple[Any, ...], list[Answered]]] = OrderedDict()
_CACHE_LOCK = Lock()


@dataclass(frozen=True)
class Answered:
    """One published answer and the theme it answers, as of the scope's latest run."""

    identity_id: int
    title: str
    outcome: str
    answer: str
    answered_at: dt.datetime
    scope_key: str
    scope: str
    group_id: int | None
    size: int
    campaigns: int
    letters: int
    individual: int
    by_category: dict[str, int]
    by_stance: dict[str, int]
    links: tuple[tuple[int, str], ...]  # (round id, provision key) of the next round
    about: frozenset[int]  # provisions of the round whose comments the theme holds
    merged_into: str | None
    current: bool
    proposals: tuple[tuple[str, int], ...] = ()  # the theme's proposed wordings, by decision

    @property
    def outcome_name(self) -> str:
        return OUTCOME_NAMES.get(self.outcome, self.outcome)

    @property
    def taken_up(self) -> bool:
        return self.outcome in TAKEN_UP

    @property
    def link_keys(self) -> frozenset[str]:
        return frozenset(key for _, key in self.links)


def _latest_runs(round_: Round) -> dict[str, int]:
    """Scope key -> id of its newest finished run."""
    rows = db.session.execute(
        select(SynthesisRun.scope_key, func.max(SynthesisRun.id))
        .where(SynthesisRun.round_id == round_.id, SynthesisRun.status == "done")
        .group_by(SynthesisRun.scope_key)
    )
    return {scope_key: run_id for scope_key, run_id in rows}


def _newest_themes(round_: Round, identity_ids: Iterable[int]) -> dict[int, Theme]:
    """Identity id -> its theme in the newest finished run that has one."""
    themes = db.session.scalars(
        select(Theme).join(SynthesisRun, SynthesisRun.id == Theme.run_id)
        .where(Theme.identity_id.in_(list(identity_ids)), SynthesisRun.round_id == round_.id,
               SynthesisRun.status == "done")
        .order_by(Theme.run_id.desc())
        .options(selectinload(Theme.run).selectinload(SynthesisRun.group))
    )
    newest: dict[int, Theme] = {}
    for theme in themes:
        newest.setdefault(theme.identity_id, theme)
    return newest


def _provisions_of(theme_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Theme id -> the provisions its comments are on (one GROUP BY)."""
    rows = db.session.execute(
        select(ThemeMember.theme_id, Comment.provision_id)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.theme_id.in_(list(theme_ids)))
        .group_by(ThemeMember.theme_id, Comment.provision_id)
    )
    out: dict[int, set[int]] = {}
    for theme_id, provision_id in rows:
        out.setdefault(theme_id, set()).add(provision_id)
    return {k: frozenset(v) for k, v in out.items()}


def _scope_facts(round_: Round, runs: Iterable[SynthesisRun]) -> dict[str, tuple[str, int | None]]:
    """Scope key -> (how it is named, its working group), as services.Scope.describe and
    services.scope_group_id say, with the round's provisions read once for all of them."""
    facts: dict[str, tuple[str, int | None]] = {}
    rows: list[Any] | None = None
    for run in runs:
        if run.scope_key in facts:
            continue
        if not run.provision_key:
            group = run.group
            facts[run.scope_key] = (group.name, group.id) if group else ("The whole round", None)
            continue
        if rows is None:
            rows = list(db.session.execute(
                select(Provision.id, Provision.key, Provision.label, Provision.title,
                       Provision.parent_id, Provision.group_id)
                .where(Provision.round_id == round_.id)))
        top = next((r for r in rows if r.key == run.provision_key), None)
        if top is None:
            facts[run.scope_key] = (run.provision_key, None)
            continue
        ids, grown = {top.id}, True
        while grown:
            more = {r.id for r in rows if r.parent_id in ids} - ids
            grown, ids = bool(more), ids | more
        groups = {r.group_id for r in rows if r.id in ids}
        heading = f"{top.label}: {top.title}" if top.label else top.title
        facts[run.scope_key] = (heading, groups.pop() if len(groups) == 1 else None)
    return facts


def _decisions_of(theme_ids: Iterable[int]) -> dict[int, tuple[tuple[str, int], ...]]:
    """Theme id -> its comments with proposed wording, by the chairs' decision (one query)."""
    rows = db.session.execute(
        select(ThemeMember.theme_id, Comment.decision, func.count())
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.theme_id.in_(list(theme_ids)), Comment.proposed_text.is_not(None))
        .group_by(ThemeMember.theme_id, Comment.decision)
    )
    out: dict[int, dict[str, int]] = {}
    for theme_id, decision, count in rows:
        counts = out.setdefault(theme_id, dict.fromkeys(PROPOSAL_KEYS, 0))
        counts[decision or "undecided"] += count
    return {k: tuple(v.items()) for k, v in out.items()}


def answered_themes(round_: Round) -> list[Answered]:
    """Every published answer to a theme of `round_`, by scope then theme (few queries)."""
    responses = list(db.session.scalars(
        select(ThemeResponse).join(ThemeIdentity)
        .where(ThemeIdentity.round_id == round_.id, ThemeResponse.published.is_(True))
        .order_by(ThemeIdentity.scope_key, ThemeIdentity.id)
        .options(selectinload(ThemeResponse.identity), selectinload(ThemeResponse.provisions))
    ))
    if not responses:
        return []
    latest = _latest_runs(round_)
    roots = {r.identity_id: r.identity.root() for r in responses}
    newest = _newest_themes(round_, {*roots, *(root.id for root in roots.values())})
    chosen: dict[int, tuple[Theme | None, bool]] = {}
    for response in responses:
        identity, root = response.identity, roots[response.identity_id]
        own, whole = newest.get(identity.id), newest.get(root.id)
        if own is not None and own.run_id == latest.get(identity.scope_key):
            chosen[identity.id] = (own, True)
        elif root.id != identity.id and whole is not None:
            chosen[identity.id] = (whole, whole.run_id == latest.get(identity.scope_key))
        else:
            chosen[identity.id] = (own, False)
    about = _provisions_of(t.id for t, _ in chosen.values() if t is not None)
    decisions = _decisions_of(t.id for t, _ in chosen.values() if t is not None)
    scopes = _scope_facts(round_, (t.run for t, _ in chosen.values() if t is not None))
    answered = []
    for response in responses:
        identity, root = response.identity, roots[response.identity_id]
        theme, current = chosen[identity.id]
        own = newest.get(identity.id)
        # Never a generated label here: its words may be private comments' (see
        # workspace.public_title, which chose the title kept when the theme was answered).
        title = identity.title or f"Theme {identity.id}"
        scope, group_id = scopes.get(identity.scope_key, ("", None))
        size = theme.size if theme is not None else 0
        campaigns = theme.campaign_count if theme is not None else 0
        individual = (theme.independent_count - campaigns) if theme is not None else 0
        answered.append(Answered(
            identity_id=identity.id, title=title, outcome=response.outcome,
            answer=response.reason, answered_at=response.responded_at,
            scope_key=identity.scope_key, scope=scope, group_id=group_id, size=size,
            campaigns=campaigns, letters=size - individual, individual=individual,
            by_category=dict(theme.by_category) if theme is not None else {},
            by_stance=dict(theme.by_stance) if theme is not None else {},
            links=tuple((link.round_id, link.provision_key) for link in response.provisions),
            about=about.get(theme.id, frozenset()) if theme is not None else frozenset(),
            merged_into=(root.title or f"Theme {root.id}") if root.id != identity.id else None,
            current=current,
            proposals=decisions.get(theme.id, ()) if theme is not None else (),
        ))
    return answered


def _signature(round_: Round) -> tuple[Any, ...]:
    """What answered_themes depends on, in three small queries: the round's answers and the
    identities they answer, its finished runs, and the last chairs' edit of any run."""
    responses = tuple(tuple(row) for row in db.session.execute(
        select(ThemeResponse.id, ThemeResponse.outcome, ThemeResponse.published,
               ThemeResponse.responded_at, ThemeIdentity.title, ThemeIdentity.merged_into_id)
        .join(ThemeIdentity, ThemeIdentity.id == ThemeResponse.identity_id)
        .where(ThemeIdentity.round_id == round_.id).order_by(ThemeResponse.id)))
    if not responses:
        return ()
    runs = tuple(db.session.execute(
        select(func.max(SynthesisRun.id), func.count(), func.max(SynthesisRun.finished_at))
        .where(SynthesisRun.round_id == round_.id, SynthesisRun.status == "done")).one())
    edit = db.session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.action.in_(EDITS)))
    return (responses, runs, edit)


def cached_answered_themes(round_: Round) -> list[Answered]:
    """answered_themes, recomputed only when its signature changed (for the pages that show
    the answers beside every change: compare, changes, history, provision)."""
    signature = _signature(round_)
    if not signature:
        return []
    with _CACHE_LOCK:
        found = _CACHE.get(round_.id)
    if found is not None and found[0] == signature:
        return found[1]
    answered = answered_themes(round_)
    with _CACHE_LOCK:
        _CACHE[round_.id] = (signature, answered)
        _CACHE.move_to_end(round_.id)
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return answered


def answers_about(
    answered: Iterable[Answered], old: Provision | None, new: Provision | None
) -> list[Answered]:
    """The answers that concern a change from `old` to `new`: the theme holds comments on the
    old version, or the chairs linked the answer to the new version (by key). Taken-up first."""
    found = [a for a in answered
             if (old is not None and old.id in a.about)
             or (new is not None and new.key in a.link_keys)]
    return sorted(found, key=lambda a: (not a.taken_up, -a.size, a.identity_id))

"""From vectors to stored themes: codebook first, clustering of the rest, identities matched by
centroid (so chairs' edits carry over), campaigns, and each theme's label and breakdowns.

Called by services.execute_run (a new run) and by the chair's edits (to refresh a run's figures
after a merge, split or move). Works on one run's rows; never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sqlalchemy import func, insert, select, tuple_

from app.core.db import db
from app.embedding.engine import Embedder, unit
from app.embedding.models import bytes_vector, vector_bytes
from app.feedback.models import Comment
from app.synthesis import codebook, duplicates
from app.synthesis.clustering import match_themes
from app.synthesis.figures import refresh
from app.synthesis.models import (
    CampaignGroup,
    CampaignMember,
    CodebookEntry,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
    ThemeMove,
)
from app.synthesis.noise import PROCESS_REMARKS
from app.synthesis.seeding import seeded_themes
from app.synthesis.vectors import text_vectors

MIN_THEME_SIZE = 2
SEED = 0
REPRESENTATIVES = 3


@dataclass(frozen=True)
class Found:
    """A theme as the engines found it: its rows, its centre, and the codebook entry or the
    chair's theme (grown from the comments they moved or pinned) it is."""

    rows: np.ndarray
    centroid: np.ndarray
    entry: CodebookEntry | None = None
    identity: ThemeIdentity | None = None


def _discovered(
    run: SynthesisRun,
    comments: Sequence[Comment],
    texts: Sequence[str],
    vectors: np.ndarray,
    rest: np.ndarray,
    process: np.ndarray,
) -> list[Found]:
    """Themes among the rows `rest` (those no codebook entry took). The comments chairs moved
    or pinned in earlier runs of the scope are seeds: the themes grow from them (and from the
    centre each chair's theme had), so one correction moves its neighbours too. `process`: the
    vectors of noise.PROCESS_REMARKS, to set remarks about the consultation itself aside."""
    row_of = {comments[int(i)].id: local for local, i in enumerate(rest)}
    seeds: dict[int, int] = {}
    chairs: dict[int, ThemeIdentity] = {}
    for move in _moves(run):
        if move.comment_id in row_of:
            target = move.identity.root() if move.identity is not None else None
            seeds[row_of[move.comment_id]] = target.id if target is not None else -1
            if target is not None:
                chairs[target.id] = target
    anchors = {i: v for i, identity in chairs.items()
               if (v := bytes_vector(identity.centroid)) is not None}
    subset = [texts[int(i)] for i in rest]
    grown = seeded_themes(vectors[rest], subset, seeds, anchors=anchors, process=process,
                          min_theme_size=MIN_THEME_SIZE, seed=SEED)
    labels = np.asarray(grown.clustering.labels)
    return [
        Found(rest[labels == t], np.asarray(grown.clustering.centroids[t]),
              identity=chairs.get(grown.theme_ids[t]) if grown.theme_ids[t] is not None else None)
        for t in range(grown.clustering.k)
    ]


def _moves(run: SynthesisRun) -> list[ThemeMove]:
    return list(db.session.scalars(
        select(ThemeMove).where(
            ThemeMove.round_id == run.round_id, ThemeMove.scope_key == run.scope_key
        ).order_by(ThemeMove.id)
    ))


def codebook_entries(run: SynthesisRun) -> list[CodebookEntry]:
    return list(
        db.session.scalars(
            select(CodebookEntry)
            .where(CodebookEntry.round_id == run.round_id, CodebookEntry.scope_key == run.scope_key)
            .order_by(CodebookEntry.id)
        )
    )


def build_themes(
    run: SynthesisRun,
    comments: Sequence[Comment],
    texts: Sequence[str],
    vectors: np.ndarray,
    embedder: Embedder,
    provision_texts: Sequence[str],
) -> None:
    """Fill `run` with themes, members (one per comment) and campaigns.

    The numerical libraries run on one thread here: the engines work on at most a few
    thousand points (k-means fitted dozens of times, small graphs), where a pool of BLAS or
    OpenMP threads costs more in hand-offs and spinning than it saves, several times more
    when other processes share the cores."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        _build_themes(run, comments, texts, vectors, embedder, provision_texts)


def _build_themes(
    run: SynthesisRun,
    comments: Sequence[Comment],
    texts: Sequence[str],
    vectors: np.ndarray,
    embedder: Embedder,
    provision_texts: Sequence[str],
) -> None:
    from app.embedding.services import embed_texts, phrase_vectors

    found: list[Found] = []
    rest = np.arange(len(texts))
    entries = codebook_entries(run)
    if entries:
        entry_vectors = embed_texts(
            [codebook.CodebookEntry(e.title, e.description).text() for e in entries], embedder
        )
        assigned = np.asarray(codebook.assign_to_codebook(vectors, entry_vectors), np.int64)
        for j, entry in enumerate(entries):
            rows = np.flatnonzero(assigned == j)
            if len(rows):
                found.append(Found(rows, unit(vectors[rows].mean(axis=0)), entry))
        rest = np.flatnonzero(assigned < 0)
    if len(rest):
        process = phrase_vectors(list(PROCESS_REMARKS), embedder)  # held in memory, not stored
        found += _discovered(run, comments, texts, vectors, rest, process)
    identities = _identities(run, found, [c.id for c in comments])
    row_theme: list[Theme | None] = [None] * len(texts)
    themes: dict[int, Theme] = {}
    for item, identity in zip(found, identities, strict=True):
        theme = _theme_of(run, identity.root(), themes, item.centroid)
        for row in item.rows:
            row_theme[int(row)] = theme
    moved = _apply_moves(run, comments, row_theme, themes)
    db.session.flush()  # themes get their ids; campaigns, then members, are written by id
    campaign_of = _store_campaigns(run, comments, texts)
    db.session.execute(ThemeMember.__table__.insert(), [  # Core: one executemany, no objects
        {"run_id": run.id, "theme_id": theme.id if theme else None, "comment_id": comment.id,
         "campaign_id": campaign_of.get(i), "distance": 0.0, "moved": i in moved}
        for i, (comment, theme) in enumerate(zip(comments, row_theme, strict=True))
    ])
    known = dict(zip(texts, vectors, strict=True))  # the comments' own, as the run holds them
    refresh(
        run,
        {c.id: vectors[i] for i, c in enumerate(comments)},
        texts_by_id(comments, texts),
        provision_texts,
        describe=lambda batch: text_vectors(batch, embedder, known),
    )


def texts_by_id(comments: Sequence[Comment], texts: Sequence[str]) -> dict[int, str]:
    return {c.id: t for c, t in zip(comments, texts, strict=True)}


def _theme_of(
    run: SynthesisRun,
    identity: ThemeIdentity,
    themes: dict[int, Theme],
    centroid: np.ndarray | None,
) -> Theme:
    theme = themes.get(identity.id)
    if theme is None:
        if centroid is None:
            centroid = bytes_vector(identity.centroid)
        theme = Theme(
            run=run,
            identity=identity,
            centroid=vector_bytes(centroid) if centroid is not None else None,
        )
        db.session.add(theme)
        themes[identity.id] = theme
    return theme


def _identities(
    run: SynthesisRun, found: Sequence[Found], comment_ids: Sequence[int] | None = None
) -> list[ThemeIdentity]:
    """One identity per found theme: the codebook entry's, the earlier theme it continues, or
    a new one. With the scope's `comment_ids` (one per row), a theme continues the earlier
    theme that shares most of its comments (see _continued); without them (a large scope),
    the one whose centroid matches. Identities' centroids follow the engine's (pre-edit)
    themes."""
    existing = list(
        db.session.scalars(
            select(ThemeIdentity)
            .where(ThemeIdentity.round_id == run.round_id, ThemeIdentity.scope_key == run.scope_key)
            .order_by(ThemeIdentity.id)
        )
    )
    by_entry = {i.codebook_entry_id: i for i in existing if i.codebook_entry_id is not None}
    seeded = {item.identity.id for item in found if item.identity is not None}
    candidates = [i for i in existing
                  if i.codebook_entry_id is None and i.centroid and i.id not in seeded]
    discovered = [k for k, item in enumerate(found) if item.entry is None and item.identity is None]
    matches: dict[int, int] = {}
    if candidates and discovered and comment_ids is not None:
        ids = np.asarray(comment_ids)
        matches = _continued([ids[found[k].rows] for k in discovered], candidates)
    elif candidates and discovered:
        old = np.stack([bytes_vector(i.centroid) for i in candidates])  # type: ignore[misc]
        new = np.stack([found[k].centroid for k in discovered])
        matches = match_themes(old, new)
    out: list[ThemeIdentity] = []
    for k, item in enumerate(found):
        identity: ThemeIdentity | None
        if item.identity is not None:
            identity = item.identity
        elif item.entry is not None:
            identity = by_entry.get(item.entry.id)
        else:
            position = discovered.index(k)
            identity = candidates[matches[position]] if position in matches else None
        if identity is None:
            identity = ThemeIdentity(
                round_id=run.round_id, scope_key=run.scope_key, codebook_entry=item.entry
            )
            db.session.add(identity)
        identity.centroid = vector_bytes(item.centroid)
        out.append(identity)
    db.session.flush()
    return out


def _continued(
    new: Sequence[np.ndarray], candidates: Sequence[ThemeIdentity]
) -> dict[int, int]:
    """Pair new themes (their comment ids) one-to-one with earlier identities by the comments
    they share with the identity's last theme (as the chairs left it, in the last run that
    had it; a theme merged into another shares the merged theme's comments, so both parts
    found again merge again): most pairs of comments in common first (Jaccard), a pair kept
    when most of the new theme's comments come from the earlier one and they share at least
    a quarter of their union. Returns {new index: candidate index}. A theme that changed
    more is a new theme, so an answer is never carried onto comments it was not written for
    (SMEs folded into a theme on downstream providers for a run, then apart again, do not
    take its answer)."""
    roots = {c.id: c.root().id for c in candidates}
    last = dict(db.session.execute(
        select(Theme.identity_id, func.max(Theme.run_id))
        .where(Theme.identity_id.in_(set(roots.values())))
        .group_by(Theme.identity_id)
    ).all())
    members: dict[int, set[int]] = {}
    for identity_id, comment_id in db.session.execute(
        select(Theme.identity_id, ThemeMember.comment_id)
        .join(ThemeMember, ThemeMember.theme_id == Theme.id)
        .where(tuple_(Theme.identity_id, Theme.run_id).in_(list(last.items())))
    ):
        members.setdefault(identity_id, set()).add(comment_id)
    held = [members.get(roots[c.id], set()) for c in candidates]
    jaccard = np.zeros((len(new), len(candidates)))
    for i, ids in enumerate(new):
        theme = set(ids.tolist())
        for j, old in enumerate(held):
            both = len(theme & old)
            if both * 2 > len(theme) and both * 4 >= len(theme | old):
                jaccard[i, j] = both / len(theme | old)
    rows, cols = linear_sum_assignment(-jaccard)
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if jaccard[i, j] > 0}


def _apply_moves(
    run: SynthesisRun,
    comments: Sequence[Comment],
    row_theme: list[Theme | None],
    themes: dict[int, Theme],
) -> set[int]:
    index = {c.id: i for i, c in enumerate(comments)}
    moved: set[int] = set()
    for move in _moves(run):
        row = index.get(move.comment_id)
        if row is None:
            continue
        target = move.identity
        row_theme[row] = None if target is None else _theme_of(run, target.root(), themes, None)
        moved.add(row)
    return moved


def _store_campaigns(
    run: SynthesisRun, comments: Sequence[Comment], texts: Sequence[str]
) -> dict[int, int]:
    """The run's campaigns and their members (canonical letter first), written in bulk;
    returns the campaign id of each row in one."""
    groups = duplicates.find_duplicate_groups(texts)
    if not groups:
        return {}
    ids = list(db.session.scalars(
        insert(CampaignGroup).returning(CampaignGroup.id, sort_by_parameter_order=True),
        [{"run_id": run.id, "template": group.template, "size": len(group.members),
          "canonical_id": comments[int(group.canonical)].id} for group in groups]))
    db.session.execute(CampaignMember.__table__.insert(), [
        {"campaign_id": campaign_id, "comment_id": comments[int(row)].id,
         "addition": group.additions.get(row, "")}
        for campaign_id, group in zip(ids, groups, strict=True) for row in group.members
    ])
    return {int(row): campaign_id
            for campaign_id, group in zip(ids, groups, strict=True) for row in group.members}

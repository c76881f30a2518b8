"""From vectors to stored themes: codebook first, clustering of the rest, identities matched by
centroid (so chairs' edits carry over), campaigns, and each theme's label and breakdowns.

Called by services.execute_run (a new run) and by the chair's edits (to refresh a run's figures
after a merge, split or move). Works on one run's rows; never commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from app.core.db import db
from app.embedding.engine import Embedder, unit
from app.embedding.models import bytes_vector, vector_bytes
from app.feedback.models import Comment
from app.synthesis import codebook, duplicates, labels
from app.synthesis.clustering import cluster, match_themes
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

MIN_THEME_SIZE = 2
SEED = 0
REPRESENTATIVES = 3


@dataclass(frozen=True)
class Found:
    """A theme as the engines found it: its rows, its centre and the codebook entry it is."""

    rows: np.ndarray
    centroid: np.ndarray
    entry: CodebookEntry | None = None


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
    """Fill `run` with themes, members (one per comment) and campaigns."""
    from app.embedding.services import embed_texts

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
        clustering = cluster(
            vectors[rest], [texts[i] for i in rest], min_theme_size=MIN_THEME_SIZE, seed=SEED
        )
        labels = np.asarray(clustering.labels)
        for t in range(clustering.k):
            found.append(Found(rest[labels == t], np.asarray(clustering.centroids[t])))
    identities = _identities(run, found)
    row_theme: list[Theme | None] = [None] * len(texts)
    themes: dict[int, Theme] = {}
    for item, identity in zip(found, identities, strict=True):
        theme = _theme_of(run, identity.root(), themes, item.centroid)
        for row in item.rows:
            row_theme[int(row)] = theme
    moved = _apply_moves(run, comments, row_theme, themes)
    db.session.flush()  # themes get their ids; members are then written by id, in bulk
    db.session.add_all(
        ThemeMember(
            run_id=run.id,
            theme_id=theme.id if theme else None,
            comment_id=comment.id,
            moved=i in moved,
        )
        for i, (comment, theme) in enumerate(zip(comments, row_theme, strict=True))
    )
    _store_campaigns(run, comments, texts)
    db.session.flush()
    refresh(
        run,
        {c.id: vectors[i] for i, c in enumerate(comments)},
        texts_by_id(comments, texts),
        provision_texts,
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


def _identities(run: SynthesisRun, found: Sequence[Found]) -> list[ThemeIdentity]:
    """One identity per found theme: the codebook entry's, the previous theme whose centroid
    matches, or a new one. Identities' centroids follow the engine's (pre-edit) themes."""
    existing = list(
        db.session.scalars(
            select(ThemeIdentity)
            .where(ThemeIdentity.round_id == run.round_id, ThemeIdentity.scope_key == run.scope_key)
            .order_by(ThemeIdentity.id)
        )
    )
    by_entry = {i.codebook_entry_id: i for i in existing if i.codebook_entry_id is not None}
    candidates = [i for i in existing if i.codebook_entry_id is None and i.centroid]
    discovered = [k for k, item in enumerate(found) if item.entry is None]
    matches: dict[int, int] = {}
    if candidates and discovered:
        old = np.stack([bytes_vector(i.centroid) for i in candidates])  # type: ignore[misc]
        new = np.stack([found[k].centroid for k in discovered])
        matches = match_themes(old, new)
    out: list[ThemeIdentity] = []
    for k, item in enumerate(found):
        identity: ThemeIdentity | None
        if item.entry is not None:
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


def _apply_moves(
    run: SynthesisRun,
    comments: Sequence[Comment],
    row_theme: list[Theme | None],
    themes: dict[int, Theme],
) -> set[int]:
    index = {c.id: i for i, c in enumerate(comments)}
    moved: set[int] = set()
    moves = db.session.scalars(
        select(ThemeMove).where(
            ThemeMove.round_id == run.round_id, ThemeMove.scope_key == run.scope_key
        )
    )
    for move in moves:
        row = index.get(move.comment_id)
        if row is None:
            continue
        target = move.identity
        row_theme[row] = None if target is None else _theme_of(run, target.root(), themes, None)
        moved.add(row)
    return moved


def _store_campaigns(run: SynthesisRun, comments: Sequence[Comment], texts: Sequence[str]) -> None:
    for group in duplicates.find_duplicate_groups(texts):
        campaign = CampaignGroup(
            run=run,
            template=group.template,
            canonical=comments[int(group.canonical)],
            size=len(group.members),
        )
        db.session.add(campaign)
        for row in group.members:
            addition = group.additions.get(row, "")
            campaign.members.append(CampaignMember(comment=comments[int(row)], addition=addition))


def refresh(
    run: SynthesisRun,
    vectors: dict[int, np.ndarray],
    texts: dict[int, str],
    provision_texts: Sequence[str],
) -> None:
    """Recompute every theme's size, centre, keywords, label, representatives, breakdowns and
    campaign counts from its current members; drop themes left empty; order by size."""
    members = list(db.session.scalars(select(ThemeMember).where(ThemeMember.run_id == run.id)))
    comments = {m.comment_id: m.comment for m in members}
    by_theme: dict[int, list[ThemeMember]] = {}
    for member in members:
        if member.theme_id is not None:
            by_theme.setdefault(member.theme_id, []).append(member)
    themes = [t for t in run.themes if t.id in by_theme]
    for theme in list(run.themes):
        if theme.id not in by_theme:
            run.themes.remove(theme)
            db.session.delete(theme)
    scope_categories = Counter(c.author.category for c in comments.values())
    campaign_of = {
        m.comment_id: m.campaign_id for campaign in run.campaigns for m in campaign.members
    }
    theme_texts = [[texts[m.comment_id] for m in by_theme[t.id]] for t in themes]
    keywords = _keywords(theme_texts, provision_texts)
    for theme, words, docs in zip(themes, keywords, theme_texts, strict=True):
        rows = by_theme[theme.id]
        matrix = np.stack([vectors[m.comment_id] for m in rows])
        centre = unit(matrix.mean(axis=0))
        for member, vector in zip(rows, matrix, strict=True):
            member.distance = float(1.0 - float(vector @ centre))
        picked = labels.representatives(matrix, centre, k=REPRESENTATIVES)
        theme.representatives = [rows[int(i)].comment_id for i in picked]
        theme.centroid = vector_bytes(centre)
        theme.size = len(rows)
        theme.keywords = list(words)
        entry = theme.identity.codebook_entry
        generated = labels.label_from_keywords(words, docs)[:200] or "(no keywords)"
        theme.label = entry.title if entry is not None else generated
        categories = Counter(comments[m.comment_id].author.category for m in rows)
        theme.by_category = dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])))
        stances = Counter(comments[m.comment_id].stance for m in rows)
        theme.by_stance = dict(sorted(stances.items(), key=lambda kv: (-kv[1], kv[0])))
        theme.over_represented = list(labels.over_represented(categories, scope_categories))
        in_campaigns = Counter(
            campaign_of[m.comment_id] for m in rows if m.comment_id in campaign_of
        )
        theme.campaign_count = len(in_campaigns)
        theme.independent_count = _voices(len(rows), list(in_campaigns.values()))
    ordered = sorted(themes, key=lambda t: (-t.size, t.identity_id))
    for position, theme in enumerate(ordered):
        theme.position = position
    db.session.flush()
    if run.status == "done":
        db.session.expire(run, ["themes", "members"])
        run.message = summary(run)


def summary(run: SynthesisRun) -> str:
    """One line for the chair: themes, unassigned, campaigns and independent voices."""
    if run.comment_count == 1 and len(run.themes) == 1:
        return "Only one comment in this scope: it forms a single theme of its own."
    unassigned = sum(1 for m in run.members if m.theme_id is None)
    campaigns = len(run.campaigns)
    voices = _voices(run.comment_count, [c.size for c in run.campaigns])
    themes = len(run.themes)
    return (
        f"{run.comment_count} comments in {themes} theme{'s' * (themes != 1)}, "
        f"{unassigned} unassigned; {campaigns} campaign{'s' * (campaigns != 1)}, "
        f"{voices} independent voice{'s' * (voices != 1)} (a campaign counts as one)."
    )


def _keywords(theme_texts: Sequence[Sequence[str]], discount: Sequence[str]) -> list[list[str]]:
    """c-TF-IDF keywords of each theme, the provisions' own words (`discount`) weighed down."""
    if not theme_texts:
        return []
    own_words = {word for text in discount for word in labels.tokens(text)}
    return [list(words) for words in labels.ctfidf_keywords(theme_texts, discount=own_words)]


def _voices(n_comments: int, campaign_sizes: Sequence[int]) -> int:
    """Independent voices: comments outside any campaign, plus one voice per campaign."""
    return n_comments - sum(campaign_sizes) + len(campaign_sizes)

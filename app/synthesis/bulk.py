"""Store a large scope's run: codebook, two-stage themes, identities, then members and campaigns
written in bulk (multi-row INSERTs of WRITE_BATCH rows, no ORM object per comment), and each
theme's figures from SQL counts and a bounded sample of its comments (`large_figures`).

All in the caller's transaction, like `pipeline.build_themes`: a failure anywhere leaves
nothing of the run behind once the caller rolls back, and the previous run stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import insert, select

from app.core.db import db
from app.drafting.models import Provision
from app.embedding.engine import Embedder, unit
from app.synthesis import codebook, scale
from app.synthesis.duplicates import _added_words
from app.synthesis.fanout_ranges import embed_large_scope
from app.synthesis.large_figures import fill_figures, texts_of
from app.synthesis.models import CampaignGroup, CampaignMember, SynthesisRun, Theme, ThemeMember
from app.synthesis.noise import PROCESS_REMARKS
from app.synthesis.pipeline import (
    MIN_THEME_SIZE,
    SEED,
    Found,
    _identities,
    _moves,
    _theme_of,
    codebook_entries,
)
from app.synthesis.streaming import Report, ScopeRows, read_scope

WRITE_BATCH = 10_000


def build_large(
    run: SynthesisRun, provisions: Sequence[Provision], embedder: Embedder, report: Report
) -> None:
    """Embed across workers when there are any (`fanout_ranges`), then read (streamed),
    theme and store the run of a large scope of `provisions`."""
    ids = [p.id for p in provisions]
    # Fanned out, progress runs over two passes: the ranges embedded, then the scope read.
    fanned = embed_large_scope(run, ids, embedder, progress=lambda done, n: report(done, 2 * n))
    rows = read_scope(run.round_id, ids, embedder,
                      report=(lambda done, n: report(n + done, 2 * n)) if fanned else report)
    run.comment_count = len(rows.ids)
    if len(rows.ids):
        store_large(run, rows, embedder, [f"{p.title} {p.text}" for p in provisions])


def store_large(
    run: SynthesisRun, rows: ScopeRows, embedder: Embedder, provision_texts: Sequence[str]
) -> None:
    """Fill `run` with the themes, members and campaigns of a large scope's `rows`."""
    n = len(rows.ids)
    found, assigned = _codebook_themes(run, rows, embedder)
    skip = rows.free | (assigned >= 0)
    rest = np.flatnonzero(~skip)
    from app.embedding.services import phrase_vectors

    process = phrase_vectors(list(PROCESS_REMARKS), embedder)  # held in memory, not stored
    skip[rest[scale.isolated_rows(rows.vectors, rest, seed=SEED, process=process)]] = True
    campaign = scale.campaigns(rows.vectors, rows.eligible, rows.bands)
    themes = scale.two_stage_themes(rows.vectors, skip, campaign,
                                    min_theme_size=MIN_THEME_SIZE, seed=SEED)
    order = np.argsort(themes.labels, kind="stable")
    starts = np.searchsorted(themes.labels[order], np.arange(themes.k + 1))
    found += [Found(order[starts[t] : starts[t + 1]], themes.centroids[t])
              for t in range(themes.k)]
    identities = _identities(run, found)
    by_identity: dict[int, Theme] = {}
    row_theme = np.full(n, -1, dtype=np.int64)
    theme_list: list[Theme] = []
    for item, identity in zip(found, identities, strict=True):
        theme = _theme_of(run, identity.root(), by_identity, item.centroid)
        if theme not in theme_list:
            theme_list.append(theme)
        row_theme[item.rows] = theme_list.index(theme)
    moved = _apply_moves(run, rows.ids, row_theme, by_identity, theme_list)
    db.session.flush()  # themes get their ids; members are then written by id, in bulk
    centres = _centres(rows.vectors, row_theme, len(theme_list))
    distance = _distances(rows.vectors, row_theme, centres)
    theme_ids = np.array([t.id for t in theme_list] + [0], dtype=np.int64)
    group_ids = _store_campaigns(run, rows, campaign)
    for start in range(0, n, WRITE_BATCH):
        stop = min(n, start + WRITE_BATCH)
        db.session.execute(ThemeMember.__table__.insert(), [  # Core: one executemany
            {"run_id": run.id, "comment_id": int(rows.ids[i]),
             "theme_id": int(theme_ids[row_theme[i]]) if row_theme[i] >= 0 else None,
             "campaign_id": int(group_ids[campaign[i]]) if campaign[i] >= 0 else None,
             "distance": float(distance[i]), "moved": bool(moved[i])}
            for i in range(start, stop)
        ])
    fill_figures(run, theme_list, rows, row_theme, centres, distance, campaign,
                 provision_texts, embedder)


def _codebook_themes(
    run: SynthesisRun, rows: ScopeRows, embedder: Embedder
) -> tuple[list[Found], np.ndarray]:
    """The chair's codebook entries as themes (rows assigned in blocks), and each row's entry
    (-1 where none fits)."""
    from app.embedding.services import embed_texts

    assigned = np.full(len(rows.ids), -1, dtype=np.int64)
    entries = codebook_entries(run)
    if not entries:
        return [], assigned
    entry_vectors = embed_texts(
        [codebook.CodebookEntry(e.title, e.description).text() for e in entries], embedder)
    for start in scale.blocks(len(assigned)):
        block = rows.vectors[start : start + scale.BLOCK].astype(np.float32)
        assigned[start : start + len(block)] = codebook.assign_to_codebook(block, entry_vectors)
    found = []
    for j, entry in enumerate(entries):
        members = np.flatnonzero(assigned == j)
        if len(members):
            mean = scale._sums(rows.vectors, members, np.zeros(len(members), np.int64), 1)[0]
            found.append(Found(members, unit(mean), entry))
    return found, assigned


def _apply_moves(
    run: SynthesisRun, ids: np.ndarray, row_theme: np.ndarray,
    by_identity: dict[int, Theme], theme_list: list[Theme],
) -> np.ndarray:
    """The chairs' moves of earlier runs, applied to the moved comments themselves (in a large
    scope they do not seed the clustering); returns which rows were moved."""
    moved = np.zeros(len(ids), dtype=bool)
    for move in _moves(run):
        row = int(np.searchsorted(ids, move.comment_id))
        if row >= len(ids) or ids[row] != move.comment_id:
            continue
        if move.identity is None:
            row_theme[row] = -1
        else:
            theme = _theme_of(run, move.identity.root(), by_identity, None)
            if theme not in theme_list:
                theme_list.append(theme)
            row_theme[row] = theme_list.index(theme)
        moved[row] = True
    return moved


def _centres(vectors: np.ndarray, row_theme: np.ndarray, k: int) -> np.ndarray:
    rows = np.arange(len(vectors))
    sums = scale._sums(vectors, rows, row_theme, k)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _distances(vectors: np.ndarray, row_theme: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """1 - cosine of each row to its theme's centre (0 for unassigned rows)."""
    out = np.zeros(len(vectors), dtype=np.float32)
    for start in scale.blocks(len(vectors)):
        theme = row_theme[start : start + scale.BLOCK]
        block = vectors[start : start + scale.BLOCK].astype(np.float32)
        dots = np.einsum("ij,ij->i", block, centres[np.maximum(theme, 0)]) if len(centres) \
            else np.ones(len(block), np.float32)
        out[start : start + len(block)] = np.where(theme >= 0, 1.0 - dots, 0.0)
    return out


def _store_campaigns(run: SynthesisRun, rows: ScopeRows, campaign: np.ndarray) -> np.ndarray:
    """The campaigns and their members, in bulk (no ORM object each); the canonical letter is
    the most common wording, and a member's addition is what it wrote beyond that letter.
    Returns the id of each campaign, by its number in `campaign`."""
    grouped = np.flatnonzero(campaign >= 0)
    if len(grouped) == 0:
        return np.zeros(0, dtype=np.int64)
    order = grouped[np.lexsort((grouped, campaign[grouped]))]
    starts = np.searchsorted(campaign[order], np.arange(int(campaign.max()) + 2))
    canonical = np.empty(len(starts) - 1, dtype=np.int64)
    for c in range(len(canonical)):
        members = order[starts[c] : starts[c + 1]]
        _, first, counts = np.unique(rows.words[members], return_index=True, return_counts=True)
        canonical[c] = members[first[np.lexsort((first, -counts))[0]]]
    templates = texts_of(rows.ids[canonical])
    group_ids = list(db.session.scalars(
        insert(CampaignGroup).returning(CampaignGroup.id, sort_by_parameter_order=True),
        [{"run_id": run.id, "canonical_id": int(rows.ids[row]), "size": int(size),
          "template": templates[int(rows.ids[row])]}
         for row, size in zip(canonical, np.diff(starts), strict=True)]))
    first = 0
    while first < len(canonical):  # campaigns in slices of about WRITE_BATCH members
        last = int(np.searchsorted(starts, starts[first] + WRITE_BATCH, side="right")) - 1
        last = max(last, first + 1)
        members = order[starts[first] : starts[last]]
        owner = np.repeat(np.arange(first, last), np.diff(starts[first : last + 1]))
        edited = rows.words[members] != rows.words[canonical[owner]]
        own = texts_of(rows.ids[members[edited]]) if edited.any() else {}
        values = []
        for row, c in sorted(zip(members.tolist(), owner.tolist(), strict=True),
                             key=lambda pair: (pair[1], pair[0] != canonical[pair[1]], pair[0])):
            cid = int(rows.ids[row])
            template = templates[int(rows.ids[canonical[c]])]
            values.append({"campaign_id": group_ids[c], "comment_id": cid,
                           "addition": _added_words(template, own[cid]) if cid in own else ""})
        db.session.execute(CampaignMember.__table__.insert(), values)
        first = last
    return np.array(group_ids, dtype=np.int64)


def member_count(run: SynthesisRun) -> int:
    """How many members `run` has (the tests' check of an all-or-nothing write)."""
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count(ThemeMember.id))
                                 .where(ThemeMember.run_id == run.id)) or 0)

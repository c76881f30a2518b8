"""A large run's figures (what `figures.refresh` computes for a small one), without loading its
members: sizes, centres and campaign counts from the arrays the run was built from, breakdowns
by category and stance from GROUP BY queries, and keywords, label, representatives, title and
summary from a bounded sample of each theme, its SAMPLE comments nearest the centre.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.db import db
from app.embedding.engine import Embedder
from app.embedding.models import vector_bytes
from app.feedback.models import Comment
from app.synthesis import labels
from app.synthesis.figures import REPRESENTATIVES, _keywords
from app.synthesis.models import SynthesisRun, Theme, ThemeMember
from app.synthesis.streaming import ScopeRows
from app.synthesis.titles import describe_themes
from app.synthesis.vectors import joined_text, text_vectors

SAMPLE = 200  # comments of each theme read back for its words, title and representatives
_CHUNK = 500


def texts_of(ids: Iterable[int]) -> dict[int, str]:
    """The texts of these comments by id, read _CHUNK at a time."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        for cid, body, proposed in db.session.execute(
            select(Comment.id, Comment.body, Comment.proposed_text)
            .where(Comment.id.in_(wanted[start : start + _CHUNK]))
        ):
            out[cid] = joined_text(body, proposed)
    return out


def _breakdown(run: SynthesisRun, column) -> dict[int | None, Counter[str]]:  # type: ignore[no-untyped-def]
    """Members of each theme (None: unassigned) counted by `column` (one GROUP BY query)."""
    query = (select(ThemeMember.theme_id, column, func.count(ThemeMember.id))
             .join(Comment, Comment.id == ThemeMember.comment_id)
             .join(User, User.id == Comment.author_id)
             .where(ThemeMember.run_id == run.id).group_by(ThemeMember.theme_id, column))
    out: dict[int | None, Counter[str]] = {}
    for theme_id, value, count in db.session.execute(query):
        out.setdefault(theme_id, Counter())[value] = int(count)
    return out


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fill_figures(
    run: SynthesisRun,
    themes: list[Theme],
    rows: ScopeRows,
    row_theme: np.ndarray,
    centres: np.ndarray,
    distance: np.ndarray,
    campaign: np.ndarray,
    provision_texts: Sequence[str],
    embedder: Embedder,
) -> None:
    """Set every theme's figures, title and summary; drop themes left empty; order by size."""
    order = np.argsort(row_theme, kind="stable")
    starts = np.searchsorted(row_theme[order], np.arange(len(themes) + 1))
    samples: list[np.ndarray] = []
    for t, theme in enumerate(themes):
        members = order[starts[t] : starts[t + 1]]
        if len(members) == 0:
            run.themes.remove(theme)
            db.session.delete(theme)
        samples.append(members[np.argsort(distance[members], kind="stable")[:SAMPLE]])
    kept = [t for t in range(len(themes)) if len(samples[t])]
    texts = texts_of(rows.ids[np.concatenate([samples[t] for t in kept])]) if kept else {}
    sample_texts = [[texts[int(rows.ids[r])] for r in samples[t]] for t in kept]
    keywords = _keywords(sample_texts, provision_texts)
    categories = _breakdown(run, User.category)
    stances = _breakdown(run, Comment.stance)
    scope_categories: Counter[str] = Counter()
    for counts in categories.values():
        scope_categories.update(counts)
    in_campaign = (campaign >= 0) & (row_theme >= 0)
    pairs, pair_sizes = np.unique(np.stack([row_theme[in_campaign], campaign[in_campaign]]),
                                  axis=1, return_counts=True)
    for position, t in enumerate(kept):
        theme, sample = themes[t], samples[t]
        size = int(starts[t + 1] - starts[t])
        theme.size, theme.centroid = size, vector_bytes(centres[t])
        theme.keywords = list(keywords[position])
        entry = theme.identity.codebook_entry
        if entry is not None:
            theme.label = entry.title
        elif not theme.label:
            theme.label = (labels.label_from_keywords(theme.keywords, sample_texts[position])
                           [:200] or "(no keywords)")
        picked = labels.representatives(rows.vectors[sample].astype(np.float32), centres[t],
                                        k=REPRESENTATIVES)
        theme.representatives = [int(rows.ids[sample[i]]) for i in picked]
        counts = categories.get(theme.id, Counter())
        theme.by_category = _sorted(counts)
        theme.by_stance = _sorted(stances.get(theme.id, Counter()))
        theme.over_represented = list(labels.over_represented(counts, scope_categories))
        own = pair_sizes[pairs[0] == t] if pairs.size else np.zeros(0, np.int64)
        theme.campaign_count = len(own)
        theme.independent_count = size - int(own.sum()) + len(own)
    described = describe_themes(sample_texts, lambda texts: text_vectors(texts, embedder),
                                provision_texts=provision_texts)
    for t, text in zip(kept, described, strict=True):
        theme = themes[t]
        if theme.identity.codebook_entry is None and text.title:
            theme.label = text.title[:200]
        theme.summary, theme.summary_source = text.summary, "extract"
    for position, theme in enumerate(sorted((themes[t] for t in kept),
                                            key=lambda x: (-x.size, x.identity_id))):
        theme.position = position
    db.session.flush()

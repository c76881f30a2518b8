"""A run's figures, recomputed from its themes' current members: size, centre, keywords,
title and summary, representatives, breakdowns by category and stance, campaigns.

Called when a run is built (with `describe`: titles and summaries are chosen then, with the
embedding model, in the worker) and after each chair's edit (without: the titles stay as they
were, so an edit never loads the model in a web process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, select

from app.core.db import db
from app.embedding.engine import unit
from app.embedding.models import vector_bytes
from app.synthesis import labels
from app.synthesis.models import (
    CampaignGroup,
    ScopeSetting,
    SynthesisRun,
    Theme,
    ThemeMember,
)
from app.synthesis.titles import describe_themes

REPRESENTATIVES = 3
KEEP_TITLE = 0.9  # a theme holding this share (Jaccard) of its last run's comments keeps its title
Describe = Callable[[Sequence[str]], np.ndarray]


def refresh(
    run: SynthesisRun,
    vectors: dict[int, np.ndarray],
    texts: dict[int, str],
    provision_texts: Sequence[str],
    *,
    describe: Describe | None = None,
) -> None:
    """Recompute every theme's size, centre, keywords, representatives, breakdowns and
    campaign counts from its current members; drop themes left empty; order by size. With
    `describe` (texts -> unit vectors), also choose each theme's title and summary; without,
    a theme keeps its title (a new one gets its keywords until the next run)."""
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
        if entry is not None:
            theme.label = entry.title
        elif not theme.label and describe is None:  # with `describe`: only where no title
            theme.label = _keyword_label(words, docs)
        categories = Counter(comments[m.comment_id].author.category for m in rows)
        theme.by_category = dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])))
        stances = Counter(comments[m.comment_id].stance for m in rows)
        theme.by_stance = dict(sorted(stances.items(), key=lambda kv: (-kv[1], kv[0])))
        theme.over_represented = list(labels.over_represented(categories, scope_categories))
        in_campaigns = Counter(m.campaign_id for m in rows if m.campaign_id is not None)
        theme.campaign_count = len(in_campaigns)
        theme.independent_count = _voices(len(rows), list(in_campaigns.values()))
    if describe is not None and themes:
        _describe(themes, by_theme, texts, provision_texts, describe)
        for theme, words, docs in zip(themes, keywords, theme_texts, strict=True):
            if not theme.label:
                theme.label = _keyword_label(words, docs)
        _ask_the_summariser(run, themes, by_theme, texts, comments)
    ordered = sorted(themes, key=lambda t: (-t.size, t.identity_id))
    for position, theme in enumerate(ordered):
        theme.position = position
    db.session.flush()
    if run.status == "done":
        db.session.expire(run, ["themes", "members"])
        run.message = summary(run)


def summary(run: SynthesisRun) -> str:
    """One line for the chair: themes, unassigned, campaigns and independent voices."""
    unassigned = db.session.scalar(select(func.count(ThemeMember.id)).where(
        ThemeMember.run_id == run.id, ThemeMember.theme_id.is_(None)))  # a million: not loaded
    campaigns, grouped = db.session.execute(
        select(func.count(CampaignGroup.id), func.coalesce(func.sum(CampaignGroup.size), 0))
        .where(CampaignGroup.run_id == run.id)).one()
    return summary_line(run.comment_count, len(run.themes), int(unassigned or 0),
                        int(campaigns), int(grouped))


def summary_line(comments: int, themes: int, unassigned: int, campaigns: int,
                 grouped: int) -> str:
    """The chair's line from its counts (`grouped`: comments inside campaigns); stored in
    English and written in the reader's language on the page (run_messages.py)."""
    if comments == 1 and themes == 1:
        return "Only one comment in this scope: it forms a single theme of its own."
    voices = comments - grouped + campaigns
    return (
        f"{comments} comments in {themes} theme{'s' * (themes != 1)}, "
        f"{unassigned} unassigned; {campaigns} campaign{'s' * (campaigns != 1)}, "
        f"{voices} independent voice{'s' * (voices != 1)} (a campaign counts as one)."
    )


def _keywords(theme_texts: Sequence[Sequence[str]], discount: Sequence[str]) -> list[list[str]]:
    """c-TF-IDF keywords of each theme, the provisions' own words (`discount`) weighed down."""
    if not theme_texts:
        return []
    own_words = {word for text in discount for word in labels.tokens(text)}
    return [list(words) for words in labels.ctfidf_keywords(theme_texts, discount=own_words)]


def _keyword_label(words: Sequence[str], docs: Sequence[str]) -> str:
    return labels.label_from_keywords(words, docs)[:200] or "(no keywords)"


def _voices(n_comments: int, campaign_sizes: Sequence[int]) -> int:
    """Independent voices: comments outside any campaign, plus one voice per campaign."""
    return n_comments - sum(campaign_sizes) + len(campaign_sizes)


def _describe(
    themes: Sequence[Theme],
    by_theme: dict[int, list[ThemeMember]],
    texts: dict[int, str],
    provision_texts: Sequence[str],
    describe: Describe,
) -> None:
    """A title and a summary for each theme, from its own comments nearest its centre first,
    contrasted with the other themes; the keyword label where no phrase fits."""
    nearest_first = [
        [texts[m.comment_id] for m in sorted(by_theme[t.id], key=lambda m: m.distance)]
        for t in themes
    ]
    described = describe_themes(nearest_first, describe, provision_texts=provision_texts)
    for theme, text in zip(themes, described, strict=True):
        if theme.identity.codebook_entry is None and text.title:
            theme.label = text.title[:200]
        theme.summary, theme.summary_source = text.summary, "extract"
    before = _last_titles(themes)
    for theme in themes:  # the same comments: the chairs find it under the name they last saw
        label, held = before.get(theme.identity_id, ("", set()))
        ids = {m.comment_id for m in by_theme[theme.id]}
        if (label and theme.identity.codebook_entry is None
                and len(ids & held) >= KEEP_TITLE * len(ids | held)
                and not any(other.label == label for other in themes if other is not theme)):
            theme.label = label


def _last_titles(themes: Sequence[Theme]) -> dict[int, tuple[str, set[int]]]:
    """For each theme's identity, the generated title and the comments of its theme in the
    last earlier run that had it (a title depends on the other themes too, so a theme whose
    comments did not change would otherwise be renamed by a change elsewhere)."""
    if not themes:
        return {}
    run_id = themes[0].run_id
    last = dict(db.session.execute(
        select(Theme.identity_id, func.max(Theme.run_id))
        .where(Theme.identity_id.in_({t.identity_id for t in themes}), Theme.run_id < run_id)
        .group_by(Theme.identity_id)
    ).all())
    if not last:
        return {}
    earlier = {t.id: t for t in db.session.scalars(select(Theme).where(
        Theme.identity_id.in_(list(last)), Theme.run_id.in_(set(last.values()))))
        if last.get(t.identity_id) == t.run_id}
    held: dict[int, set[int]] = {}
    for theme_id, comment_id in db.session.execute(
        select(ThemeMember.theme_id, ThemeMember.comment_id)
        .where(ThemeMember.theme_id.in_(list(earlier)))
    ):
        held.setdefault(theme_id, set()).add(comment_id)
    return {t.identity_id: (t.label or "", held.get(t.id, set())) for t in earlier.values()}


def describe_one(
    targets: Sequence[Theme], members: Sequence[ThemeMember], texts: dict[int, str],
    provision_texts: Sequence[str], describe: Describe,
) -> None:
    """Choose the title and summary of the `targets` alone (the two parts of a split: the new
    one named by its keywords until now, the other by what it held before), contrasted with
    the run's other themes (`members`: the run's) as a run does; the others keep theirs."""
    by_theme: dict[int, list[ThemeMember]] = {}
    for member in members:
        if member.theme_id is not None:
            by_theme.setdefault(member.theme_id, []).append(member)
    themes = [t for t in targets[0].run.themes if t.id in by_theme] if targets else []
    if not any(theme in themes for theme in targets):
        return
    nearest_first = [
        [texts[m.comment_id] for m in sorted(by_theme[t.id], key=lambda m: m.distance)]
        for t in themes
    ]
    described = describe_themes(nearest_first, describe, provision_texts=provision_texts)
    for theme in (t for t in targets if t in themes):
        text = described[themes.index(theme)]
        if text.title:
            theme.label = text.title[:200]
        theme.summary, theme.summary_source = text.summary, "extract"


def _ask_the_summariser(
    run: SynthesisRun,
    themes: Sequence[Theme],
    by_theme: dict[int, list[ThemeMember]],
    texts: dict[int, str],
    comments: dict[int, Any],
) -> None:
    """The optional summariser's summary of each theme (docs/synthesis.md): off unless
    configured; only published comments, unless the secretariat allowed this scope's private
    comments; the extractive summary stays wherever the model does not answer."""
    from flask import current_app

    from app.feedback.permissions import is_published
    from app.synthesis import summariser

    config = current_app.config
    if not summariser.configured(config):
        return
    private_allowed = db.session.scalar(select(ScopeSetting.summarise_private).where(
        ScopeSetting.round_id == run.round_id, ScopeSetting.scope_key == run.scope_key))
    for theme in themes:
        members = sorted(by_theme[theme.id], key=lambda m: m.distance)
        sent = [texts[m.comment_id] for m in members
                if private_allowed or is_published(comments[m.comment_id])]
        if answer := summariser.summarise(theme.display_label, sent, config):
            theme.summary, theme.summary_source = answer, "model"

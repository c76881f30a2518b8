"""The synthesis export of CONTRACT §4: one run as a JSON-ready dict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.db import db
from app.feedback.models import Comment
from app.synthesis.models import CampaignGroup, CampaignMember, SynthesisRun, ThemeMember

STREAM_BATCH = 5000  # rows per fetch: members and campaign letters are streamed, not loaded


def synthesis_document(run: SynthesisRun) -> dict[str, Any]:
    """CONTRACT §4 for `run`: every comment in scope exactly once, in one theme or in
    `unassigned`, named by external id or numeric id. Themes are in the run's order (largest
    first); a theme's `id` is its identity, stable across re-runs of the scope. Themes the
    chairs marked not relevant carry `"not_relevant": true`.

    The members and the campaigns' letters are read as plain rows, STREAM_BATCH at a time
    (`yield_per`), never as ORM objects: a run of a million comments holds only their names."""
    # CONTRACT §4: a comment is named by its external id (a string) or else its numeric id.
    names: dict[int, str | int] = {}
    by_theme: dict[int, list[str | int]] = {}
    unassigned: list[str | int] = []
    members = (select(ThemeMember.comment_id, ThemeMember.theme_id, Comment.external_id)
               .join(Comment, Comment.id == ThemeMember.comment_id)
               .where(ThemeMember.run_id == run.id)
               .order_by(ThemeMember.distance, ThemeMember.comment_id)
               .execution_options(yield_per=STREAM_BATCH))
    for comment_id, theme_id, external_id in db.session.execute(members):
        name = names[comment_id] = external_id or comment_id
        if theme_id is None:
            unassigned.append(name)
        else:
            by_theme.setdefault(theme_id, []).append(name)
    themes = []
    for theme in run.themes:
        item: dict[str, Any] = {
            "id": theme.identity_id,
            "label": theme.display_label,
            "summary": theme.summary,
            "keywords": list(theme.keywords),
            "size": theme.size,
            "comments": by_theme.get(theme.id, []),
            "representatives": [names[c] for c in theme.representatives if c in names],
            "by_category": dict(theme.by_category),
            "by_stance": dict(theme.by_stance),
        }
        if theme.identity.not_relevant:
            item["not_relevant"] = True
        themes.append(item)
    return {
        "code": run.round.code.slug,
        "round": run.round.number,
        "scope": {"provision": run.provision_key,
                  "group": run.group.slug if run.group is not None else None},
        "model": run.model,
        "created_at": run.created_at.isoformat().replace("+00:00", "Z"),
        "comment_count": run.comment_count,
        "themes": themes,
        "duplicate_groups": _campaigns(run, names),
        "unassigned": sorted(unassigned, key=_natural),
    }


def _campaigns(run: SynthesisRun, names: dict[int, str | int]) -> list[dict[str, Any]]:
    """Each campaign's canonical letter and letters, in the run's order (streamed)."""
    groups: dict[int, dict[str, Any]] = {}
    letters = (select(CampaignGroup.id, CampaignGroup.canonical_id, CampaignMember.comment_id)
               .join(CampaignMember, CampaignMember.campaign_id == CampaignGroup.id)
               .where(CampaignGroup.run_id == run.id)
               .order_by(CampaignGroup.id, CampaignMember.id)
               .execution_options(yield_per=STREAM_BATCH))
    for campaign_id, canonical_id, comment_id in db.session.execute(letters):
        group = groups.setdefault(campaign_id, {
            "canonical": names.get(canonical_id, canonical_id), "members": []})
        group["members"].append(names.get(comment_id, comment_id))
    return list(groups.values())


def _natural(name: str | int) -> tuple[int, int, str]:
    return (0, name, "") if isinstance(name, int) else (1, 0, name)

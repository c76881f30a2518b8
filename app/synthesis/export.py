"""The synthesis export of CONTRACT §4: one run as a JSON-ready dict."""

from __future__ import annotations

from typing import Any

from app.synthesis.models import SynthesisRun


def synthesis_document(run: SynthesisRun) -> dict[str, Any]:
    """CONTRACT §4 for `run`: every comment in scope exactly once, in one theme or in
    `unassigned`, named by external id or numeric id. Themes are in the run's order (largest
    first); a theme's `id` is its identity, stable across re-runs of the scope. Themes the
    chairs marked not relevant carry `"not_relevant": true`."""
    # CONTRACT §4: a comment is named by its external id (a string) or else its numeric id.
    names: dict[int, str | int] = {
        m.comment_id: m.comment.external_id or m.comment_id for m in run.members
    }
    by_theme: dict[int, list[str | int]] = {}
    unassigned: list[str | int] = []
    ordered = sorted(run.members, key=lambda m: (m.distance, m.comment_id))
    for member in ordered:
        if member.theme_id is None:
            unassigned.append(names[member.comment_id])
        else:
            by_theme.setdefault(member.theme_id, []).append(names[member.comment_id])
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
        "duplicate_groups": [
            {"canonical": names.get(c.canonical_id, c.canonical_id),
             "members": [names.get(m.comment_id, m.comment_id) for m in c.members]}
            for c in run.campaigns
        ],
        "unassigned": sorted(unassigned, key=_natural),
    }


def _natural(name: str | int) -> tuple[int, int, str]:
    return (0, name, "") if isinstance(name, int) else (1, 0, name)

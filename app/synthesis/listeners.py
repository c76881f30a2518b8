"""What syntheses do when feedback announces something (see app/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from app.core import hooks
from app.core.db import db
from app.feedback.models import Comment
from app.synthesis.models import CampaignGroup, CampaignMember, SynthesisRun, ThemeMember


def _withdrawn(comment: Comment, **_: Any) -> None:
    """A withdrawn comment is shown to nobody but its author, nor counted, grouped or answered:
    it leaves every run that holds it (members, campaign letters), whose figures are then
    recomputed, and a theme summary quoting it is cleared until the next run."""
    from app.synthesis.workspace import refresh_run  # heavy: only when a run holds it

    run_ids = set(db.session.scalars(
        select(ThemeMember.run_id).where(ThemeMember.comment_id == comment.id)))
    if not run_ids:
        return
    campaigns = set(db.session.scalars(
        select(CampaignMember.campaign_id).where(CampaignMember.comment_id == comment.id)))
    db.session.execute(delete(ThemeMember).where(ThemeMember.comment_id == comment.id))
    db.session.execute(delete(CampaignMember).where(CampaignMember.comment_id == comment.id))
    db.session.execute(update(CampaignGroup).where(CampaignGroup.id.in_(campaigns))
                       .values(size=CampaignGroup.size - 1))
    db.session.execute(update(SynthesisRun).where(SynthesisRun.id.in_(run_ids))
                       .values(comment_count=SynthesisRun.comment_count - 1))
    words = " ".join(f"{comment.body} {comment.proposed_text or ''}".split())
    for run in db.session.scalars(select(SynthesisRun).where(SynthesisRun.id.in_(run_ids))):
        db.session.refresh(run)
        for theme in run.themes:
            db.session.expire(theme, ["members"])
            if theme.summary and any(part.strip(" .") and part.strip(" .") in words
                                     for part in theme.summary.split(". ")):
                theme.summary, theme.summary_source = "", "extract"
        if run.status == "done":
            refresh_run(run)
    db.session.flush()


def connect() -> None:
    hooks.comment_withdrawn.connect(_withdrawn)

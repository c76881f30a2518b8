"""What syntheses do when feedback announces something (see app/core/hooks.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import delete, select, update

from app.core import hooks
from app.core.db import db
from app.core.tasks import QUEUE_ERRORS, app_task
from app.feedback.models import Comment
from app.synthesis.models import CampaignGroup, CampaignMember, SynthesisRun, ThemeMember

log = logging.getLogger(__name__)

# A run of at most this many comments has its figures recomputed in the withdrawal's own
# request (about 1.5 s at 5,000 on two cores); a larger one by a task, so that withdrawing
# stays quick in a scope of a million comments.
INLINE_REFRESH = 2000


class NotYetCommitted(Exception):
    """The withdrawal that queued a refresh is not committed yet: the task tries again."""


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _withdrawn(comment: Comment, **_: Any) -> None:
    """A withdrawn comment is shown to nobody but its author, nor counted, grouped or answered:
    it leaves every run that holds it (members, campaign letters, representatives) at once; a
    theme summary quoting it is cleared until the next run; the runs' figures are recomputed,
    in this request for a small run, by a queued task for a large one."""
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
    words = " ".join(f"{comment.body} {comment.proposed_text or ''}".split()).lower()
    later = []
    for run in db.session.scalars(select(SynthesisRun).where(SynthesisRun.id.in_(run_ids))):
        db.session.refresh(run)
        for theme in run.themes:
            db.session.expire(theme, ["members"])
            if theme.summary and _quotes(theme.summary, words):
                theme.summary, theme.summary_source = "", "extract"
            if comment.id in theme.representatives:
                theme.representatives = [i for i in theme.representatives if i != comment.id]
        if run.status != "done":
            continue
        if run.comment_count <= INLINE_REFRESH:
            refresh_run(run)
        else:
            later.append(run.id)
    db.session.flush()
    for run_id in later:
        try:
            refresh_after_withdrawal(run_id, comment.id)
        except QUEUE_ERRORS as error:  # the figures wait for the next run; the withdrawal holds
            log.warning("run %s not refreshed after a withdrawal: %s", run_id, error)


def _quotes(summary: str, words: str) -> bool:
    """Whether a sentence of `summary` is taken from `words` (a comment's text, one space
    between words, lower case): sentences end in ".", "!", "?" or "…", and a summary writes a
    sentence with its first letter in upper case and its own stop or a full stop."""
    for sentence in _SENTENCE_END.split(" ".join(summary.split())):
        bare = sentence.strip().rstrip(".!?…").strip().lower()
        if bare and bare in words:
            return True
    return False


@app_task(retries=10, retry_delay=3)
def refresh_after_withdrawal(run_id: int, comment_id: int) -> None:
    """Recompute a large run's figures once the withdrawal of `comment_id` is committed."""
    from app.synthesis.workspace import refresh_run

    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != "withdrawn":
        db.session.rollback()
        raise NotYetCommitted(f"comment {comment_id} is not withdrawn yet")
    run = db.session.get(SynthesisRun, run_id)
    if run is None or run.status != "done":
        return
    refresh_run(run)
    db.session.commit()


def connect() -> None:
    hooks.comment_withdrawn.connect(_withdrawn)

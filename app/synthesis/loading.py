"""Load a run or a theme for the chairs' pages, 404 unless the caller may synthesise its scope
(shared by routes.py and theme_pages.py)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import WorkingGroup
from app.accounts.permissions import is_secretariat
from app.core.db import db
from app.core.errors import NotFound
from app.core.i18n import N_
from app.feedback.models import Comment
from app.synthesis import services
from app.synthesis.models import SynthesisRun, Theme, ThemeIdentity
from app.synthesis.permissions import can_synthesise_scope


def scope_allowed(scope: services.Scope) -> bool:
    return can_synthesise_scope(current_user, scope.round, services.scope_group_id(scope),
                                scope.kind == "round")


def load_run(run_id: int) -> SynthesisRun:
    run = db.session.get(SynthesisRun, run_id)
    if run is None or not scope_allowed(services.scope_of(run)):
        abort(404)
    return run


def load_theme(theme_id: int) -> Theme:
    """A theme of a run the user may work on; 404 saying why a page left open may fail (its
    theme merged into another since, or its scope run again)."""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(N_("This theme is no longer there: it may have been merged into another "
                          "theme, or its scope run again, since the page was opened. Nothing "
                          "was changed; Synthesis, in the menu, leads to the themes as they "
                          "are now."))
    load_run(theme.run_id)
    return theme


def comment_name(comment_id: int) -> str:
    """How the chairs' messages name a comment ("r2-0049"), its id if it is gone."""
    comment = db.session.get(Comment, comment_id)
    return comment.name if comment is not None else str(comment_id)


def my_groups() -> list[WorkingGroup] | None:
    """The groups the user chairs; None for the secretariat (every group)."""
    if is_secretariat(current_user):
        return None
    ids = current_user.chaired_group_ids
    return list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.id.in_(ids)).order_by(WorkingGroup.slug)))


def editable(run: SynthesisRun) -> bool:
    """Whether chairs may edit `run` (only the latest finished run of its scope)."""
    scope = services.scope_of(run)
    latest = services.latest_run(run.round, provision=scope.provision_key, group=scope.group)
    return latest is not None and latest.id == run.id


def merged_answers(theme: Theme) -> list[ThemeIdentity]:
    """The themes merged into `theme` that had been answered: their answers stay theirs (the
    public register keeps them under their names), and the chairs should see them here."""
    return [identity for identity in db.session.scalars(
        select(ThemeIdentity).where(ThemeIdentity.merged_into_id == theme.identity_id)
        .order_by(ThemeIdentity.id)) if identity.response is not None]

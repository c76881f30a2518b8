"""Synthesis runs: collect a scope's comments, embed them (cached), cluster, label, store.

Which comments: the top-level comments of the scope's provisions that are neither hidden by
moderation nor withdrawn. Replies are left out: a reply ("agreed, and ...") means something only
beside the comment it answers, and would be clustered out of context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User, WorkingGroup
from app.core import audit
from app.core.db import db, utcnow
from app.core.errors import BadInput, NotFound
from app.core.i18n import N_
from app.drafting.models import Provision, Round
from app.embedding.engine import Embedder
from app.embedding.services import BATCH_SIZE, get_embedder, run_embedder
from app.feedback.models import Comment
from app.synthesis.fanout import embed_run_texts
from app.synthesis.models import SynthesisRun, Theme, ThemeIdentity
from app.synthesis.vectors import comment_text

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Scope:
    """What a run covers: one provision (and what sits under it), a working group, a round."""

    round: Round
    provision_key: str | None = None
    group: WorkingGroup | None = None

    @property
    def kind(self) -> str:
        if self.provision_key:
            return "provision"
        return "group" if self.group is not None else "round"

    @property
    def key(self) -> str:
        if self.provision_key:
            return f"provision:{self.provision_key}"
        return f"group:{self.group.slug}" if self.group is not None else "round"

    def describe(self) -> str:
        if self.provision_key:
            provision = next((p for p in self.round.provisions if p.key == self.provision_key),
                             None)
            return provision.heading if provision else self.provision_key
        return self.group.name if self.group is not None else gettext("The whole round")


def find_provision(round_: Round, key: str) -> Provision | None:
    return db.session.scalar(
        select(Provision).where(Provision.round_id == round_.id, Provision.key == key)
    )


def resolve_scope(
    round_: Round, *, provision: Provision | str | None = None,
    group: WorkingGroup | str | None = None,
) -> Scope:
    """The scope named by a provision (object or key) or a group (object or slug), or the round.

    Raises BadInput if both are given, NotFound if the provision or group does not exist.
    """
    if provision is not None and group is not None:
        raise BadInput(N_("Give a provision or a working group, not both."))
    if provision is not None:
        key = provision if isinstance(provision, str) else provision.key
        if find_provision(round_, key) is None:
            raise NotFound(N_("Round %(round)s has no provision %(key)r."), round=round_.number,
                           key=key)
        return Scope(round_, provision_key=key)
    if group is not None:
        if isinstance(group, str):
            found = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == group))
            if found is None:
                raise NotFound(N_("There is no working group %(slug)r."), slug=group)
            group = found
        return Scope(round_, group=group)
    return Scope(round_)


def scope_group_id(scope: Scope) -> int | None:
    """The working group a scope belongs to, None for the whole round.

    A provision scope covers the provision and everything under it: it belongs to a group only
    if all of those provisions do (a child may be assigned to another group), else it is left
    to the secretariat like a whole round.
    """
    if scope.provision_key:
        groups = {provision.group_id for provision in scope_provisions(scope)}
        return groups.pop() if len(groups) == 1 else None
    return scope.group.id if scope.group is not None else None


def scope_of(run: SynthesisRun) -> Scope:
    return Scope(run.round, provision_key=run.provision_key, group=run.group)


def scope_provisions(scope: Scope) -> list[Provision]:
    """The provisions a scope covers, in document order (the round's provisions are loaded
    once per session, however many scopes of it are asked about)."""
    provisions = list(scope.round.provisions)
    if scope.provision_key:
        ids = {p.id for p in provisions if p.key == scope.provision_key}
        changed = True
        while changed:
            grown = ids | {p.id for p in provisions if p.parent_id in ids}
            changed, ids = grown != ids, grown
        return [p for p in provisions if p.id in ids]
    if scope.group is not None:
        return [p for p in provisions if p.group_id == scope.group.id]
    return provisions


def scope_comments(scope: Scope) -> list[Comment]:
    """The scope's top-level comments that are not hidden and not withdrawn, oldest first."""
    ids = [p.id for p in scope_provisions(scope)]
    if not ids:
        return []
    from app.synthesis.streaming import comment_filter

    return list(db.session.scalars(select(Comment).where(*comment_filter(scope.round.id, ids))
                                   .order_by(Comment.id)))


def check_consulted(round_: Round) -> None:
    """Raise BadInput for the final code: it was never open for comments, so a synthesis of it
    would always be empty."""
    if round_.final:
        raise BadInput(N_("Round %(round)s is the final code: it takes no comments, so there "
                          "is nothing to synthesise."), round=round_.number)


def create_run(
    round_: Round, *, provision: Provision | str | None = None,
    group: WorkingGroup | str | None = None, actor: User | None = None,
) -> SynthesisRun:
    """A queued run of the scope (audit-logged). Raises BadInput/NotFound for a bad scope or
    the final code (check_consulted)."""
    from app.synthesis import pipeline  # heavy (scikit-learn, SciPy): only when a run works

    check_consulted(round_)
    scope = resolve_scope(round_, provision=provision, group=group)
    run = SynthesisRun(
        round=round_, scope_kind=scope.kind, provision_key=scope.provision_key,
        group=scope.group, scope_key=scope.key, status="queued", created_by=actor,
        params={"batch_size": BATCH_SIZE, "min_theme_size": pipeline.MIN_THEME_SIZE,
                "seed": pipeline.SEED},
    )
    db.session.add(run)
    db.session.flush()
    audit.record("synthesis.run", actor=actor, target=run, round=round_.number,
                 scope=scope.key)
    return run


def execute_run(
    run: SynthesisRun, *, embedder: Embedder | None = None, progress: Progress | None = None
) -> SynthesisRun:
    """Embed, cluster and store the themes of a queued run; the run ends "done" or "failed"
    with a message for the chair (nothing is raised for bad input in the scope)."""
    from app.synthesis import figures, pipeline  # heavy (scikit-learn, SciPy): when a run works

    run.status, run.message = "running", ""
    run.progress_done = 0
    scope = scope_of(run)

    def report(done: int, total: int) -> None:
        run.progress_done, run.progress_total = done, total + 1
        if progress is not None:
            progress(done, total + 1)

    from app.synthesis import bulk, streaming  # large scopes: streamed, two stages, in bulk

    provisions = scope_provisions(scope)
    if streaming.is_large(run.round_id, [p.id for p in provisions]):
        # The configured path: counting which of a large scope's texts are cached would mean
        # reading them all first (PLENARY_EMBEDDING_BACKEND=onnx-int8 makes these faster).
        embedder = embedder or get_embedder()
        run.model = embedder.name
        bulk.build_large(run, provisions, embedder, report)
        return _finish(run, figures.summary(run), progress)
    comments = scope_comments(scope)
    run.comment_count = len(comments)
    run.progress_total = len(comments) + 1
    texts = [comment_text(c) for c in comments]
    embedder = embedder or run_embedder(texts)
    run.model = embedder.name
    if not comments:
        return _finish(run, "There are no comments in this scope yet.", progress)
    vectors = embed_run_texts(run, texts, embedder, progress=report)  # chunks when large
    provision_texts = [f"{p.title} {p.text}" for p in scope_provisions(scope)]
    pipeline.build_themes(run, comments, texts, vectors, embedder, provision_texts)
    return _finish(run, figures.summary(run), progress)


def _finish(run: SynthesisRun, message: str, progress: Progress | None) -> SynthesisRun:
    run.status, run.message, run.finished_at = "done", message, utcnow()
    run.progress_done = run.progress_total
    if progress is not None:
        progress(run.progress_total, run.progress_total)
    db.session.flush()
    return run


def fail_run(run: SynthesisRun, error: BaseException) -> None:
    run.status, run.finished_at = "failed", utcnow()
    run.message = f"The synthesis failed: {error}"[:2000]


def run_synthesis(
    round_: Round, *, provision: Provision | str | None = None,
    group: WorkingGroup | str | None = None, embedder: Embedder | None = None,
    progress: Progress | None = None, actor: User | None = None,
) -> SynthesisRun:
    """Create and run a synthesis of a scope in the foreground; returns the finished run.

    Raises BadInput/NotFound for a bad scope. A scope without comments gives a "done" run with
    no themes and a message saying so.
    """
    run = create_run(round_, provision=provision, group=group, actor=actor)
    return execute_run(run, embedder=embedder, progress=progress)


def latest_run(
    round_: Round, *, provision: str | None = None, group: WorkingGroup | str | None = None,
    done_only: bool = True,
) -> SynthesisRun | None:
    """The newest (finished, by default) run of a scope, or None."""
    scope = resolve_scope(round_, provision=provision, group=group)
    query = select(SynthesisRun).where(
        SynthesisRun.round_id == round_.id, SynthesisRun.scope_key == scope.key
    )
    if done_only:
        query = query.where(SynthesisRun.status == "done")
    return db.session.scalar(query.order_by(SynthesisRun.id.desc()).limit(1))


def load_run(run: SynthesisRun) -> SynthesisRun:
    """`run` with its themes, their identities, responses and codebook entries loaded: what
    the chairs' pages read of every theme, in a fixed number of queries however many themes.
    Members and campaigns are read a page at a time (`listing.py`), or streamed (`export.py`)."""
    identity = selectinload(SynthesisRun.themes).selectinload(Theme.identity)
    return db.session.scalars(select(SynthesisRun).where(SynthesisRun.id == run.id)
                              .options(identity.selectinload(ThemeIdentity.response),
                                       identity.selectinload(ThemeIdentity.codebook_entry))
                              .execution_options(populate_existing=True)).one()


def load_comments(ids: Sequence[int]) -> dict[int, Comment]:
    """These comments by id, with their authors and provisions (three queries in all)."""
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(sorted(set(ids))))
        .options(selectinload(Comment.author), selectinload(Comment.provision)))}


def runs_by_scope(round_: Round) -> dict[str, list[SynthesisRun]]:
    """Every run of the round by scope key, newest first, with their themes (one query each)."""
    runs: dict[str, list[SynthesisRun]] = {}
    for run in db.session.scalars(
        select(SynthesisRun).where(SynthesisRun.round_id == round_.id)
        .order_by(SynthesisRun.id.desc()).options(selectinload(SynthesisRun.themes))
    ):
        runs.setdefault(run.scope_key, []).append(run)
    return runs


def scope_options(round_: Round, groups: Sequence[WorkingGroup] | None) -> list[Scope]:
    """The scopes a chair works on: each group (`groups`; None = every group with provisions,
    for the secretariat, who also gets the whole round), then each of their measures that has
    comments."""
    provisions = list(round_.provisions)
    group_ids = {p.group_id for p in provisions if p.group_id is not None}
    allowed = [g for g in (groups if groups is not None else
                           db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.slug)))
               if g.id in group_ids]
    scopes: list[Scope] = [Scope(round_)] if groups is None else []
    with_comments = set(db.session.scalars(
        select(Comment.provision_id).where(Comment.round_id == round_.id).distinct()))
    for group in allowed:
        scopes.append(Scope(round_, group=group))
        scopes += [Scope(round_, provision_key=p.key) for p in provisions
                   if p.group_id == group.id and p.id in with_comments]
    return scopes

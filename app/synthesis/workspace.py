"""What chairs do with a run's themes: rename, note, merge, split, move a comment, mark as not
relevant, keep a codebook and answer a theme. Edits are made on the scope's latest run and
recorded on the theme's identity (or as a ThemeMove), so that the next run re-applies them.
Every edit is audit-logged; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select

from app.accounts.models import User
from app.core import audit, hooks
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict, NotFound
from app.core.i18n import N_
from app.core.text import blank
from app.drafting.models import Provision, Round
from app.drafting.services import neighbour_round
from app.embedding.engine import Embedder, unit
from app.embedding.models import vector_bytes
from app.feedback.permissions import is_published
from app.synthesis.models import (
    OUTCOMES,
    CodebookEntry,
    ResponseProvision,
    ScopeSetting,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
    ThemeMove,
    ThemeResponse,
)
from app.synthesis.services import latest_run, scope_of, scope_provisions
from app.synthesis.vectors import cached_comment_vectors, comment_text, text_vectors

TITLE_LIMIT = 200
NOTE_LIMIT = 5000
REASON_LIMIT = 5000


def check_editable(run: SynthesisRun) -> None:
    """Raises Conflict unless `run` is its scope's latest finished run."""
    scope = scope_of(run)
    latest = latest_run(run.round, provision=scope.provision_key, group=scope.group)
    if latest is None or latest.id != run.id:
        raise Conflict(N_("Only the latest finished run of a scope can be edited."))


def _run_inputs(
    run: SynthesisRun,
) -> tuple[list[ThemeMember], dict[int, str], dict[int, np.ndarray], list[str]]:
    """A run's members, their texts and cached vectors by comment id, and its provisions'
    texts: what its figures and titles are computed from."""
    members = list(run.members)
    texts = {m.comment_id: comment_text(m.comment) for m in members}
    vectors = cached_comment_vectors(run.model, [m.comment for m in members])
    provision_texts = [f"{p.title} {p.text}" for p in scope_provisions(scope_of(run))]
    return members, texts, vectors, provision_texts


def refresh_run(run: SynthesisRun) -> None:
    """Recompute a run's figures from its members (vectors from the embedding cache)."""
    from app.synthesis import figures  # heavy (scikit-learn, SciPy): only when a run works

    _, texts, vectors, provision_texts = _run_inputs(run)
    figures.refresh(run, vectors, texts, provision_texts)


def describe_split(theme: Theme, embedder: Embedder, kept: Theme | None = None) -> None:
    """Title and summarise a theme a split made, and the theme it was split from (`kept`,
    whose generated title named comments that may have left), as a run would (`embedder`: the
    run's model); a title the chairs gave either still shows (the generated one beside it);
    the run's other themes keep theirs."""
    from app.synthesis import figures  # heavy (scikit-learn, SciPy): only when a run works

    members, texts, vectors, provision_texts = _run_inputs(theme.run)
    known = {texts[i]: vector for i, vector in vectors.items()}
    figures.describe_one([theme, *([kept] if kept is not None else [])], members, texts,
                         provision_texts,
                         lambda batch: text_vectors(batch, embedder, known))


def rename_theme(theme: Theme, title: str, *, actor: User | None) -> None:
    """Give a theme the chairs' own title (an empty title restores the generated label)."""
    check_editable(theme.run)
    clean = " ".join(title.split())
    clean = "" if blank(clean) else clean  # an invisible title is none: the generated one
    if len(clean) > TITLE_LIMIT:
        raise BadInput(N_("A title may have at most %(limit)s characters."), limit=TITLE_LIMIT)
    before = theme.display_label
    theme.identity.title = clean or None
    audit.record("synthesis.theme.rename", actor=actor, target=theme.identity,
                 before=before, after=theme.display_label)


def set_note(theme: Theme, note: str, *, actor: User | None) -> None:
    check_editable(theme.run)
    if len(note) > NOTE_LIMIT:
        raise BadInput(N_("A note may have at most %(limit)s characters."), limit=NOTE_LIMIT)
    theme.identity.note = "" if blank(note) else note.strip()
    audit.record("synthesis.theme.note", actor=actor, target=theme.identity)


def set_not_relevant(theme: Theme, not_relevant: bool, *, actor: User | None) -> None:
    check_editable(theme.run)
    theme.identity.not_relevant = not_relevant
    audit.record("synthesis.theme.relevance", actor=actor, target=theme.identity,
                 not_relevant=not_relevant)


def merge_themes(source: Theme, target: Theme, *, actor: User | None) -> Theme:
    """Merge `source` into `target` (same run): its comments join the target, and its identity
    points at the target's, so the next run merges them again. Returns the target."""
    check_editable(source.run)
    if source.run_id != target.run_id:
        raise BadInput(N_("Both themes must belong to the same run."))
    if source.id == target.id:
        raise BadInput(N_("Choose two different themes to merge."))
    run = source.run
    # The merged theme keeps the name it had: recomputed keywords could otherwise rename it
    # after the theme that was merged away.
    target.identity.title = target.display_label
    source.identity.title = source.display_label  # its published answer keeps this name
    for member in list(source.members):
        member.theme = target
    source.identity.merged_into = target.identity
    audit.record("synthesis.theme.merge", actor=actor, target=target.identity,
                 merged=source.identity_id, source_label=source.display_label)
    db.session.flush()
    db.session.expire(source, ["members"])
    refresh_run(run)
    return target


def split_theme(theme: Theme, *, actor: User | None) -> Theme:
    """Split a theme in two by re-clustering its comments; the larger part keeps the theme
    (and its title, note and response), the other becomes a new theme, remembered for re-runs
    as the move of its comments (as chairs' moves are). Returns the new one.
    Raises BadInput when the comments cannot be told apart (fewer than two, or identical)."""
    from app.synthesis import pipeline  # heavy (scikit-learn, SciPy): only when a run works

    check_editable(theme.run)
    run = theme.run
    rows = list(theme.members)
    if len(rows) < 2:
        raise BadInput(N_("A theme needs at least two comments to be split."))
    refresh_vectors = cached_comment_vectors(run.model, [m.comment for m in rows])
    matrix = np.stack([refresh_vectors[m.comment_id] for m in rows])
    if len(np.unique(matrix.round(6), axis=0)) < 2:
        raise BadInput(N_("The comments of this theme are identical; it cannot be split."))
    from sklearn.cluster import KMeans

    parts = KMeans(n_clusters=2, n_init=4, random_state=pipeline.SEED).fit_predict(matrix)
    keep = 0 if (parts == 0).sum() >= (parts == 1).sum() else 1
    if (parts != keep).sum() < 2:
        raise BadInput(N_("This theme does not fall into two groups: one part would hold a "
                          "single comment. Move that comment instead."))
    moving = [m for m, part in zip(rows, parts, strict=True) if part != keep]
    centre = unit(matrix[parts != keep].mean(axis=0))
    identity = ThemeIdentity(round_id=run.round_id, scope_key=run.scope_key,
                             centroid=vector_bytes(centre))
    new = Theme(run=run, identity=identity, centroid=vector_bytes(centre))
    db.session.add_all([identity, new])
    for member in moving:
        member.theme, member.moved = new, True
    db.session.flush()
    _remember_moves(run, [m.comment_id for m in moving], new, actor)  # kept by the next run
    db.session.flush()
    audit.record("synthesis.theme.split", actor=actor, target=theme.identity,
                 new_identity=identity.id, moved=len(moving))
    db.session.expire(theme, ["members"])
    refresh_run(run)
    return new


def move_comment(
    run: SynthesisRun, comment_id: int, target: Theme | None, *, actor: User | None
) -> None:
    """Move one comment of the run to another theme (None: unassigned); remembered for re-runs."""
    move_comments(run, [comment_id], target, actor=actor)


def move_comments(
    run: SynthesisRun, comment_ids: Sequence[int], target: Theme | None, *, actor: User | None
) -> int:
    """Move comments of the run (a campaign's letters, say) to another theme (None:
    unassigned), each remembered for re-runs; the run's figures are recomputed once. Returns
    how many moved. Raises NotFound when one is not part of the run, BadInput for a theme of
    another run."""
    check_editable(run)
    if target is not None and target.run_id != run.id:
        raise BadInput(N_("The theme belongs to another run."))
    ids = list(dict.fromkeys(comment_ids))
    members = {m.comment_id: m for m in db.session.scalars(select(ThemeMember).where(
        ThemeMember.run_id == run.id, ThemeMember.comment_id.in_(ids)))}
    if not ids or len(members) != len(ids):
        raise NotFound(N_("That comment is not part of this synthesis."))
    for comment_id in ids:
        member = members[comment_id]
        member.theme, member.moved = target, True
        audit.record("synthesis.comment.move", actor=actor, target=run, comment=comment_id,
                     to_identity=target.identity_id if target is not None else None)
    _remember_moves(run, ids, target, actor)
    db.session.flush()
    db.session.expire(run, ["themes"])
    for theme in run.themes:
        db.session.expire(theme, ["members"])
    refresh_run(run)
    return len(ids)


def _remember_moves(run: SynthesisRun, ids: Sequence[int], target: Theme | None,
                    actor: User | None) -> None:
    """Record that comments `ids` belong to `target`'s identity (None: unassigned), so that
    the scope's next run puts them there again and learns from them (see seeding)."""
    moves = {m.comment_id: m for m in db.session.scalars(select(ThemeMove).where(
        ThemeMove.round_id == run.round_id, ThemeMove.scope_key == run.scope_key,
        ThemeMove.comment_id.in_(ids)))}
    for comment_id in ids:
        move = moves.get(comment_id)
        if move is None:
            move = ThemeMove(round_id=run.round_id, scope_key=run.scope_key,
                             comment_id=comment_id)
            db.session.add(move)
        move.identity = target.identity if target is not None else None
        move.moved_by_id, move.moved_at = getattr(actor, "id", None), utcnow()


def codebook(round_: Round, scope_key: str) -> list[CodebookEntry]:
    return list(db.session.scalars(
        select(CodebookEntry).where(CodebookEntry.round_id == round_.id,
                                    CodebookEntry.scope_key == scope_key)
        .order_by(CodebookEntry.id)))


def add_codebook_entry(
    round_: Round, scope_key: str, title: str, description: str, *, actor: User | None
) -> CodebookEntry:
    """A new codebook theme for a scope; the next run assigns comments to it where they fit."""
    title = " ".join(title.split())
    if blank(title):
        raise BadInput(N_("A codebook theme needs a title."))
    if len(title) > TITLE_LIMIT or len(description) > NOTE_LIMIT:
        raise BadInput(N_("That title or description is too long."))
    if any(e.title.lower() == title.lower() for e in codebook(round_, scope_key)):
        raise Conflict(N_("The codebook already has a theme called %(title)r."), title=title)
    entry = CodebookEntry(round_id=round_.id, scope_key=scope_key, title=title,
                          description=" ".join(description.split()),
                          created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    audit.record("synthesis.codebook.add", actor=actor, target=entry, scope=scope_key,
                 title=title)
    return entry


def remove_codebook_entry(entry: CodebookEntry, *, actor: User | None) -> None:
    audit.record("synthesis.codebook.remove", actor=actor, target=entry, title=entry.title)
    db.session.delete(entry)
    db.session.flush()


def respond(
    theme: Theme, outcome: str, reason: str, provision_keys: Sequence[str], *,
    published: bool = True, actor: User | None,
) -> ThemeResponse:
    """Answer a theme: accepted, partly accepted, not taken up or out of scope, with a reason,
    linked to the provisions of the next round that changed because of it. The theme keeps the
    name it was answered under (re-runs and merges do not rename a published answer). Raises
    Conflict for a theme of a run since superseded (check_editable: its figures are not the
    latest), BadInput for an unknown outcome, an empty reason or a provision the next round
    lacks."""
    check_editable(theme.run)
    if outcome not in OUTCOMES:
        raise BadInput(N_("Choose accepted, partly accepted, not taken up or out of scope."))
    reason = reason.strip()
    if blank(reason):
        raise BadInput(N_("Give the reason for the response."))
    if len(reason) > REASON_LIMIT:
        raise BadInput(N_("A reason may have at most %(limit)s characters."), limit=REASON_LIMIT)
    keys = list(dict.fromkeys(k.strip() for k in provision_keys if k.strip()))
    later = neighbour_round(theme.run.round, 1)
    if keys and later is None:
        raise BadInput(N_("There is no next round yet to link provisions of."))
    if later is not None:
        known = {p.key for p in later.provisions}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise BadInput(N_("Round %(round)s has no provision %(key)r."), round=later.number,
                           key=unknown[0])
    identity = theme.identity
    response = identity.response
    if response is not None and response.published and not published:
        raise BadInput(N_("A published answer stays on the public register: change its outcome "
                       "or reason instead of withdrawing it."))
    before = _answer_of(response)
    if response is None:
        response = ThemeResponse(identity=identity, outcome=outcome)
        db.session.add(response)
    identity.title = public_title(theme)
    response.outcome, response.reason, response.published = outcome, reason, published
    response.responded_by_id, response.responded_at = getattr(actor, "id", None), utcnow()
    # Links kept where they stay (a new row beside the old one breaks their unique key).
    kept = {link.provision_key: link for link in response.provisions}
    response.provisions = [kept.get(k) or ResponseProvision(round_id=later.id, provision_key=k)
                           for k in keys] if later is not None else []  # fmt: skip
    db.session.flush()
    audit.record("synthesis.theme.respond", actor=actor, target=identity, outcome=outcome,
                 provisions=keys)
    if published and before != (outcome, reason, sorted(keys)):  # new or changed: logged
        hooks.answer_published.send(response=response, actor=actor)
    return response


def public_title(theme: Theme) -> str | None:
    """The title an answered theme keeps on the public register: the chairs' own, else the
    generated one if comments the public may read use its words (each phrase of an "X and Y"
    title, inflections aside); else None, and the register shows "Theme N" rather than words
    of private comments."""
    from app.synthesis.phrases import phrase_key  # its lexicon loads scikit-learn's stop words

    if theme.identity.title:
        return theme.identity.title
    parts = [phrase_key(part) for part in theme.label.split(" and ")]
    public = [f" {phrase_key(comment_text(m.comment))} " for m in theme.members
              if is_published(m.comment)]
    if all(part and any(f" {part} " in text for text in public) for part in parts):
        return theme.label
    return None


def same_response(theme: Theme, outcome: str, reason: str, provision_keys: Sequence[str],
                  published: bool) -> bool:
    """Whether the theme's response already says this (outcome, reason as saved, the same
    provisions, published or not): saving it again would change nothing."""
    response = theme.identity.response
    keys = sorted(dict.fromkeys(k.strip() for k in provision_keys if k.strip()))
    return response is not None and (
        response.outcome, response.reason or "", response.published,
        sorted(p.provision_key for p in response.provisions),
    ) == (outcome, reason.strip(), published, keys)


def _answer_of(response: ThemeResponse | None) -> tuple[str, str, list[str]] | None:
    """A published answer as it reads (what the register and the log show), else None."""
    if response is None or not response.published:
        return None
    return response.outcome, response.reason or "", sorted(p.provision_key
                                                           for p in response.provisions)


def next_round_provisions(theme: Theme) -> list[Provision]:
    later = neighbour_round(theme.run.round, 1)
    return list(later.provisions) if later is not None else []


def allow_private_summaries(
    round_: Round, scope_key: str, allowed: bool, *, actor: User | None
) -> ScopeSetting:
    """Whether the optional external summariser may read this scope's private comments (the
    secretariat's choice, audit-logged; off by default)."""
    setting = db.session.scalar(select(ScopeSetting).where(
        ScopeSetting.round_id == round_.id, ScopeSetting.scope_key == scope_key))
    if setting is None:
        setting = ScopeSetting(round_id=round_.id, scope_key=scope_key)
        db.session.add(setting)
    setting.summarise_private = allowed
    setting.updated_by_id, setting.updated_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("synthesis.summariser.private", actor=actor, target=setting,
                 scope=scope_key, allowed=allowed)
    return setting

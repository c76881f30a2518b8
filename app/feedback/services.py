"""Submitting, editing, withdrawing and hiding comments (flush, never commit).

Limits (documented in docs/feedback.md): a body of 1 to BODY_LIMIT (10,000) characters, a
proposed wording of at most PROPOSAL_LIMIT (5,000). Nothing is ever deleted: withdrawing and
hiding only mark a comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app.accounts.models import User
from app.accounts.permissions import account
from app.core import audit, hooks
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict
from app.core.i18n import N_
from app.drafting.models import Provision, Round
from app.feedback.anchoring import locate
from app.feedback.limits import (
    blank,
    clean_body,
    clean_proposal,
    clean_stance,
    length_problem,
    normalise_text,
)
from app.feedback.models import (
    CONSENT_TERMS_VERSION,
    HIDE_REASON_LIMIT,
    Comment,
)

KEY_LIMIT = 100
MAX_OFFSET = 10_000_000  # past any provision: a hint beyond it is ignored


def window_problem(round_: Round, now: dt.datetime | None = None) -> str | None:
    """Why feedback on this round is not taken now, or None while its window is open."""
    if round_.final:
        return N_("This is the final Code: it takes no feedback.")
    status = round_.consultation_status(now)
    if status == "open":
        return None
    if status == "upcoming":
        return N_("Feedback on this draft is not open yet.")
    if status == "closed":
        return N_("Feedback on this draft is closed: comments can no longer be added or changed.")
    return N_("This draft is not open for feedback.")


def _int_or_none(value: Any) -> int | None:
    """A character offset as sent by a page or client; None when it is not a usable number
    (missing, not a number, not finite, negative or beyond any provision's length)."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number is not None and 0 <= number <= MAX_OFFSET else None


def anchor_quote(provision: Provision, quote: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """The stored selector columns for a quote, re-validated against the provision's text.

    `quote` is a mapping (exact, prefix, suffix, start, end: what the page sends) or the exact
    text alone. Raises BadInput when the passage does not occur in the provision.
    """
    empty: dict[str, Any] = dict.fromkeys(
        ("quote_exact", "quote_prefix", "quote_suffix", "quote_start", "quote_end")
    )
    if quote is None:
        return empty
    if isinstance(quote, str):
        quote = {"exact": quote}
    exact = quote.get("exact") or ""
    if not isinstance(exact, str) or not exact.strip():
        return empty
    found = locate(
        provision.text,
        exact,
        str(quote.get("prefix") or ""),
        str(quote.get("suffix") or ""),
        _int_or_none(quote.get("start")),
    )
    if found is None:
        raise BadInput(N_("The quoted passage is not in the provision."))
    return {
        "quote_exact": found.exact,
        "quote_prefix": found.prefix,
        "quote_suffix": found.suffix,
        "quote_start": found.start,
        "quote_end": found.end,
    }


def _existing_for_key(author: User, key: str) -> Comment | None:
    return db.session.scalar(
        select(Comment).where(Comment.author_id == author.id, Comment.idempotency_key == key)
    )


# What a replay with the same Idempotency-Key must repeat exactly to get the first comment back.
_REPLAYED = ("provision_id", "parent_id", "stance", "body", "proposed_text", "quote_exact",
             "quote_start", "publish_consent", "external_id")  # fmt: skip


def _replay(existing: Comment, fields: Mapping[str, Any]) -> Comment:
    if any(getattr(existing, name) != fields[name] for name in _REPLAYED):
        raise Conflict(N_("This Idempotency-Key was already used for a different comment."))
    return existing


def submit_comment(
    provision: Provision,
    author: User,
    *,
    stance: str,
    body: str,
    quote: Mapping[str, Any] | str | None = None,
    proposed_text: str | None = None,
    parent: Comment | None = None,
    publish_consent: bool = False,
    idempotency_key: str | None = None,
    external_id: str | None = None,
    now: dt.datetime | None = None,
    source: str = "web",
    bulk: bool = False,
) -> Comment:
    """Store a comment on a provision (or a reply to `parent`) and return it.

    Whether `author` may comment there (and set an external id) is the caller's check. A reply
    inherits its parent's provision and round, and carries no quote. Raises Conflict when the
    round's window is not open (unless `bulk`: a secretariat's import) or the external id is
    taken, BadInput for an unknown stance, an empty body, a quote that is not in the provision
    or an over-long key, TooLarge past the limits. With an `idempotency_key`, a second call by
    the same author with the same comment returns the first one instead of storing another;
    the same key with anything different (text, stance, consent, passage) is a Conflict.
    """
    if parent is not None:
        provision = parent.provision
        quote = None
    round_ = provision.round
    now = now or utcnow()
    if idempotency_key and len(idempotency_key) > KEY_LIMIT:
        raise BadInput(N_("An Idempotency-Key may have at most %(limit)s characters."),
                       limit=KEY_LIMIT)
    if external_id is not None and not 0 < len(external_id) <= KEY_LIMIT:
        raise BadInput(N_("An external_id has 1 to %(limit)s characters."), limit=KEY_LIMIT)
    fields: dict[str, Any] = {
        "provision_id": provision.id,
        "parent_id": parent.id if parent is not None else None,
        "stance": clean_stance(stance),
        "body": clean_body(body),
        "proposed_text": clean_proposal(proposed_text),
        "publish_consent": bool(publish_consent),
        "external_id": external_id or None,
        **anchor_quote(provision, quote),
    }
    if idempotency_key and (existing := _existing_for_key(author, idempotency_key)):
        return _replay(existing, fields)
    if not bulk and (problem := window_problem(round_, now)):
        raise Conflict(problem)
    if external_id and db.session.scalar(
        select(Comment.id).where(Comment.external_id == external_id)
    ):
        raise Conflict(N_("A comment with external_id %(id)r is already stored."),
                       id=external_id)
    comment = Comment(
        round_id=round_.id,
        author_id=author.id,
        idempotency_key=idempotency_key or None,
        source=source,
        status="open",
        consent_at=now if publish_consent else None,
        consent_terms=CONSENT_TERMS_VERSION if publish_consent else None,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        **fields,
    )
    if not idempotency_key:
        db.session.add(comment)
        db.session.flush()
    else:
        try:
            with db.session.begin_nested():
                db.session.add(comment)
        except IntegrityError:
            # A concurrent request with the same key won the race: return what it stored.
            existing = _existing_for_key(author, idempotency_key)
            if existing is None:
                raise
            return _replay(existing, fields)
    hooks.comment_submitted.send(comment=comment)
    return comment


def _check_changeable(comment: Comment, now: dt.datetime | None) -> None:
    if comment.status == "withdrawn":
        raise Conflict(N_("This comment was withdrawn: it can no longer be changed."))
    if problem := window_problem(comment.round, now):
        raise Conflict(problem)


def edit_comment(
    comment: Comment,
    *,
    stance: str | None = None,
    body: str | None = None,
    proposed_text: str | None = None,
    publish_consent: bool | None = None,
    now: dt.datetime | None = None,
) -> Comment:
    """Change a comment's stance, body, proposed wording or consent (for its author: the
    caller's check), while the window is open.

    The quote stays as it was. Raises Conflict once the window has closed or the comment was
    withdrawn, BadInput/TooLarge as submit_comment.
    """
    _check_changeable(comment, now)
    now = now or utcnow()
    if stance is not None:
        comment.stance = clean_stance(stance)
    if body is not None:
        comment.body = clean_body(body)
    if proposed_text is not None:
        comment.proposed_text = clean_proposal(proposed_text)
    if publish_consent is not None and publish_consent != comment.publish_consent:
        comment.publish_consent = publish_consent
        comment.consent_at = now
        comment.consent_terms = CONSENT_TERMS_VERSION if publish_consent else None
    comment.updated_at = now
    db.session.flush()
    hooks.comment_edited.send(comment=comment)
    return comment


def withdraw_comment(comment: Comment, now: dt.datetime | None = None) -> Comment:
    """Mark a comment withdrawn (kept, never deleted), while the window is open: its author
    still sees it, marked withdrawn; nobody else does, and it is no longer counted. Final (no
    undo). Audit-logged as its author's act (`comment.withdraw`) and announced, so that the
    transparency log records it.

    Raises Conflict once closed or already withdrawn.
    """
    _check_changeable(comment, now)
    comment.status = "withdrawn"
    comment.updated_at = now or utcnow()
    audit.record("comment.withdraw", actor=comment.author, target=comment)
    db.session.flush()
    hooks.comment_withdrawn.send(comment=comment)
    return comment


REPLY_HIDDEN_REASON = N_("A reply to a hidden comment: hidden with it.")


def hide_comment(comment: Comment, reason: str, actor: Any) -> Comment:
    """Hide a comment from everyone but its author, the group's chairs and the secretariat.

    The reason is required (BadInput) and the act is audit-logged. Hiding again replaces the
    reason. Nothing is deleted.
    """
    reason = normalise_text(reason)
    if blank(reason):
        raise BadInput(N_("Give a reason for hiding the comment."))
    if problem := length_problem(N_("The reason"), "reason", reason, HIDE_REASON_LIMIT):
        raise problem
    _hide(comment, reason, actor)
    # Its replies go with it: shown alone they would answer a comment no one can read.
    for reply in _replies(comment):
        if reply.hidden_at is None:
            _hide(reply, REPLY_HIDDEN_REASON, actor)
    return comment


def _hide(comment: Comment, reason: str, actor: Any) -> None:
    comment.hidden_at = utcnow()
    comment.hidden_reason = reason
    comment.hidden_by_id = actor.id
    audit.record("comment.hide", actor=actor, target=comment, reason=comment.hidden_reason)
    db.session.flush()
    hooks.comment_hidden.send(comment=comment, hidden=True, actor=actor)


def _replies(comment: Comment) -> list[Comment]:
    return list(db.session.scalars(
        select(Comment).where(Comment.parent_id == comment.id).order_by(Comment.id)))


def unhide_comment(comment: Comment, actor: Any) -> Comment:
    """Show a hidden comment again (audit-logged), with the replies hidden along with it."""
    _unhide(comment, actor)
    for reply in _replies(comment):
        if reply.hidden_at is not None and reply.hidden_reason == REPLY_HIDDEN_REASON:
            _unhide(reply, actor)
    return comment


def _unhide(comment: Comment, actor: Any) -> None:
    comment.hidden_at = None
    comment.hidden_reason = None
    comment.hidden_by_id = None
    audit.record("comment.unhide", actor=actor, target=comment)
    db.session.flush()
    hooks.comment_hidden.send(comment=comment, hidden=False, actor=actor)


def visibility_clause(user: Any) -> Any:
    """A SQL condition on Comment (joined with Provision) matching can_view_comment.

    The caller must also check that the round is visible.
    """
    from sqlalchemy import and_, false, or_

    acct = account(user)
    standing = Comment.status != "withdrawn"  # a withdrawn comment: its author's alone
    published = and_(Comment.publish_consent.is_(True), Comment.hidden_at.is_(None), standing)
    if acct is None:
        return published
    if acct.is_secretariat:
        return or_(standing, Comment.author_id == acct.id)
    chaired = acct.chaired_group_ids
    return or_(
        published,
        Comment.author_id == acct.id,
        and_(Provision.group_id.in_(chaired), standing) if chaired else false(),
    )


def visible_comments(
    user: Any,
    *,
    round_: Round,
    provision: Provision | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[Comment]:
    """The comments of a round (or of one provision) the user may see, oldest first, with
    their provisions and authors loaded (no query per comment)."""
    query = (
        select(Comment)
        .join(Provision, Provision.id == Comment.provision_id)
        .where(Comment.round_id == round_.id)
        .options(contains_eager(Comment.provision), selectinload(Comment.author))
    )
    if provision is not None:
        query = query.where(Comment.provision_id == provision.id)
    query = query.where(visibility_clause(user))
    if after_id is not None:
        query = query.where(Comment.id > after_id)
    query = query.order_by(Comment.id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def visible_counts(user: Any, round_: Round) -> dict[int, int]:
    """How many top-level comments `user` may see on each provision of the round (one query)."""
    from sqlalchemy import func

    query = (
        select(Comment.provision_id, func.count(Comment.id))
        .join(Provision, Provision.id == Comment.provision_id)
        .where(
            Comment.round_id == round_.id,
            Comment.parent_id.is_(None),
            Comment.status != "withdrawn",
        )
        .group_by(Comment.provision_id)
    )
    query = query.where(visibility_clause(user))
    return {provision_id: count for provision_id, count in db.session.execute(query)}


def comments_by(author: Any) -> list[Comment]:
    """Everything an account wrote, newest first, with provisions, rounds and codes loaded."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.author_id == author.id)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .options(selectinload(Comment.provision),
                     selectinload(Comment.round).selectinload(Round.code))
        )
    )

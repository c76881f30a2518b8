"""What each event of the record puts in the log (CONTRACT §8; docs/record.md lists the leaves).

A leaf never holds a comment's text: a comment is a salted commitment to its canonical form.
A leaf names a code and a round in the clear only for rounds visible beyond the secretariat
and chairs; the window of an internal round is logged once the round is published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import db, one_of, utcnow
from app.drafting.models import Provision, Round
from app.feedback.models import Comment
from app.record import merkle
from app.record.canonical import comment_form, comment_set_leaf, commitment, rfc3339
from app.record.models import LogEntry
from app.record.services import Appended, append, append_many, first_head_including, lock_log

COMMITMENT_KINDS = ("comment", "comment_edited")
RECEIPTS = "record.receipts"  # session.info key: receipts of this transaction's comments


def comment_form_of(comment: Comment) -> dict[str, Any]:
    """The canonical form of a comment as stored now (docs/record.md)."""
    return _form(comment.round, comment.provision.key, comment)


def _form(round_: Round, provision_key: str, comment: Any) -> dict[str, Any]:
    """The canonical form from a comment or a row with the same column names."""
    return comment_form({
        "code": round_.code.slug, "round": round_.number, "provision": provision_key,
        "comment": comment.id, "parent": comment.parent_id, "stance": comment.stance,
        "body": comment.body, "quote": comment.quote_exact,
        "proposed_text": comment.proposed_text, "submitted_at": rfc3339(comment.submitted_at),
    })  # fmt: skip


def log_comment(comment: Comment, kind: str = "comment") -> Appended:
    """A submission (or, with kind "comment_edited", an edit) as a fresh salted commitment.

    The receipt is kept in the session too, so that the API can answer with it after the
    commit without reading it back (a rollback forgets it)."""
    salt, form = secrets.token_hex(32), comment_form_of(comment)
    event = {"comment": comment.id, "commitment": commitment(salt, form)}
    entry = append(kind, event, salt=salt, comment_id=comment.id, round_id=comment.round_id)
    db.session.info.setdefault(RECEIPTS, {})[comment.id] = _receipt(
        entry.leaf_index, entry.leaf_hash, salt, entry.leaf, form, entry.head
    )
    return entry


@orm_events.listens_for(Session, "after_soft_rollback")
def _forget_receipts(session: Session, _previous: Any) -> None:
    session.info.pop(RECEIPTS, None)


def log_comments(round_: Round, ids: list[int]) -> None:
    """Many new comments of a round (a bulk import's batch), each its own salted commitment,
    appended under one lock and one signed head (receipts name the first head including
    them). Reads the comments as stored, as plain rows."""
    rows = db.session.execute(
        select(Comment.id, Comment.parent_id, Comment.stance, Comment.body,
               Comment.quote_exact, Comment.proposed_text, Comment.submitted_at,
               Provision.key.label("provision_key"))
        .join(Provision, Provision.id == Comment.provision_id)
        .where(one_of(Comment.id, ids)).order_by(Comment.id))
    items = []
    for row in rows:
        salt = secrets.token_hex(32)
        items.append(({"comment": row.id,
                       "commitment": commitment(salt, _form(round_, row.provision_key, row))},
                      salt, row.id, round_.id))
    append_many("comment", items)


def log_withdrawal(comment: Comment) -> Appended:
    return append("comment_withdrawn", {"comment": comment.id}, comment_id=comment.id,
                  round_id=comment.round_id)  # fmt: skip


def log_hiding(comment: Comment, hidden: bool) -> Appended:
    return append("comment_hidden", {"comment": comment.id, "hidden": bool(hidden)},
                  comment_id=comment.id, round_id=comment.round_id)  # fmt: skip


def _named(round_: Round) -> dict[str, Any]:
    if round_.visibility == "internal":
        return {}
    return {"code": round_.code.slug, "round": round_.number}


def log_round_published(round_: Round) -> Appended:
    """A round became visible (or a visible round was replaced): the hash of its source."""
    event = {"code": round_.code.slug, "round": round_.number, "visibility": round_.visibility,
             "final": bool(round_.final), "source_sha256": round_.source_hash}  # fmt: skip
    return append("round_published", event, round_id=round_.id)


def answer_due(round_: Round | None, now: dt.datetime | None = None) -> bool:
    """Whether answers to the themes of `round_` go into the log: once its window has closed
    (or where it never had one), when the public register shows them too."""
    return round_ is None or round_.consultation_status(now) in ("closed", "none")


def answer_event(response: Any) -> dict[str, Any]:
    """The leaf of an answer: outcome, a hash of its reason, the keys of the provisions it
    links in the next round (only where that round is visible beyond the secretariat and
    chairs, as a round's name), and its round's name."""
    identity = response.identity
    round_ = db.session.get(Round, identity.round_id)
    return {
        "answer": response.id, "theme": identity.id, "outcome": response.outcome,
        "answer_sha256": hashlib.sha256((response.reason or "").encode("utf-8")).hexdigest(),
        "provisions": sorted(p.provision_key for p in response.provisions
                             if p.round.visibility != "internal"),
        **(_named(round_) if round_ is not None else {}),
    }  # fmt: skip


def log_answer(response: Any) -> Appended:
    """Chairs published (or changed) their answer to a theme: its outcome and a hash of it."""
    return append("answer_published", answer_event(response), round_id=response.identity.round_id)


def log_answer_when_due(response: Any) -> Appended | None:
    """log_answer now if its round's window has closed; else close_windows logs it then."""
    if answer_due(db.session.get(Round, response.identity.round_id)):
        return log_answer(response)
    return None


def log_due_answers(round_: Round) -> list[Appended]:
    """Log the round's published answers whose log entry is missing or reads otherwise (those
    published while its window was open)."""
    from app.synthesis.models import ThemeIdentity, ThemeResponse

    latest: dict[int, Any] = {}
    for leaf in db.session.scalars(select(LogEntry.leaf).where(
            LogEntry.kind == "answer_published", LogEntry.round_id == round_.id
    ).order_by(LogEntry.leaf_index)):  # fmt: skip
        parsed = json.loads(leaf)
        latest[parsed.get("answer")] = parsed
    responses = db.session.scalars(
        select(ThemeResponse).join(ThemeIdentity, ThemeIdentity.id == ThemeResponse.identity_id)
        .where(ThemeIdentity.round_id == round_.id, ThemeResponse.published.is_(True))
        .order_by(ThemeResponse.id))  # fmt: skip
    appended = []
    for response in responses:
        event, logged = answer_event(response), latest.get(response.id) or {}
        if any(logged.get(key) != value for key, value in event.items()):  # not as it reads
            appended.append(log_answer(response))
    return appended


# -- a round's comment set and its closing ---------------------------------------------------


def comment_set(round_id: int, before: int | None = None) -> tuple[list[tuple[int, str]], int]:
    """The round's comments as logged before leaf `before` (all, when None): each comment's
    latest commitment leaf hash, by comment id; and how many of them were withdrawn."""
    query = select(LogEntry.comment_id, LogEntry.kind, LogEntry.leaf_hash).where(
        LogEntry.round_id == round_id,
        LogEntry.kind.in_((*COMMITMENT_KINDS, "comment_withdrawn")),
        LogEntry.comment_id.is_not(None),
    )
    if before is not None:
        query = query.where(LogEntry.leaf_index < before)
    latest: dict[int, str] = {}
    withdrawn: set[int] = set()
    for comment_id, kind, leaf_hash in db.session.execute(query.order_by(LogEntry.leaf_index)):
        if comment_id is None:
            continue
        if kind == "comment_withdrawn":
            withdrawn.add(comment_id)
        else:
            latest[comment_id] = leaf_hash
    members = sorted(latest.items())
    return members, len(withdrawn & set(latest))


def comment_set_root(members: list[tuple[int, str]]) -> str:
    """The RFC 9162 root over the canonical leaves {"comment": id, "leaf_hash": hex}."""
    edge: list[bytes] = []
    for index, (comment_id, leaf_hash) in enumerate(members):
        hashed = merkle.leaf_hash(comment_set_leaf(comment_id, leaf_hash))
        edge, _ = merkle.append(index, edge, hashed)
    return merkle.fold(edge).hex()


def _closed_at(entry: LogEntry) -> str | None:
    try:
        return json.loads(entry.leaf).get("closes_at")  # type: ignore[no-any-return]
    except (ValueError, AttributeError):
        return None  # a damaged entry: `plenary verify log` reports it


def log_window_closed(round_: Round, now: dt.datetime | None = None) -> Appended:
    members, withdrawn = comment_set(round_.id)
    assert round_.closes_at is not None
    event = {**_named(round_), "closes_at": rfc3339(round_.closes_at), "comments": len(members),
             "withdrawn": withdrawn, "comments_root": comment_set_root(members)}  # fmt: skip
    return append("window_closed", event, round_id=round_.id, now=now)


def close_windows(now: dt.datetime | None = None) -> list[Appended]:
    """Append one `window_closed` entry for each visible round whose window has closed and has
    none for that closing time yet. Idempotent; flushes, never commits."""
    now = now or utcnow()
    lock_log()
    due = db.session.scalars(
        select(Round)
        .where(Round.closes_at.is_not(None), Round.closes_at <= now,
               Round.visibility != "internal", Round.final.is_(False))
        .order_by(Round.closes_at, Round.id)
    )  # fmt: skip
    appended = []
    for round_ in list(due):
        assert round_.closes_at is not None
        logged = db.session.scalars(
            select(LogEntry).where(LogEntry.kind == "window_closed", LogEntry.round_id == round_.id)
        )
        if any(_closed_at(e) == rfc3339(round_.closes_at) for e in logged):
            continue
        appended.append(log_window_closed(round_, now))
        appended.extend(log_due_answers(round_))
    return appended


# -- receipts -----------------------------------------------------------------------------


def latest_commitment(comment_id: int) -> LogEntry | None:
    return db.session.scalar(
        select(LogEntry)
        .where(LogEntry.comment_id == comment_id, LogEntry.kind.in_(COMMITMENT_KINDS))
        .order_by(LogEntry.leaf_index.desc())
        .limit(1)
    )


def receipt_for(comment: Comment) -> dict[str, Any] | None:
    """What the author keeps: the leaf of the comment's latest version, its salt, the canonical
    form it commits to and the signed head that first included it (None if never logged)."""
    cached = db.session.info.get(RECEIPTS, {}).get(comment.id)
    if cached is not None:
        return dict(cached)
    entry = latest_commitment(comment.id)
    if entry is None:
        return None
    head = first_head_including(entry.leaf_index)
    sth = head.as_json() if head is not None else None
    form = comment_form_of(comment)
    return _receipt(entry.leaf_index, entry.leaf_hash, entry.salt, entry.leaf, form, sth)


def _receipt(leaf_index: int, leaf_hash: str, salt: str | None, leaf: str,
             form: dict[str, Any], head: dict[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    return {"leaf_index": leaf_index, "leaf_hash": leaf_hash, "salt": salt, "leaf": leaf,
            "comment": form, "sth": head}  # fmt: skip


# -- databases that held records before the log ------------------------------------------------


def backfill() -> dict[str, int]:
    """Log what is stored but was never logged (records older than the log): each comment's
    current version (and its withdrawal or hiding), each visible round's current source, each
    published answer whose round's window has closed. Idempotent; flushes, never commits.
    Returns counts by kind."""
    from app.synthesis.models import ThemeResponse

    lock_log()
    counts = {"comment": 0, "round_published": 0, "answer_published": 0}
    logged = set(db.session.scalars(select(LogEntry.comment_id).where(
        LogEntry.kind.in_(COMMITMENT_KINDS), LogEntry.comment_id.is_not(None))))  # fmt: skip
    for comment in db.session.scalars(select(Comment).order_by(Comment.id)):
        if comment.id in logged:
            continue
        log_comment(comment)
        if comment.status == "withdrawn":
            log_withdrawal(comment)
        if comment.hidden:
            log_hiding(comment, True)
        counts["comment"] += 1
    published: dict[int | None, set[str]] = {}
    for round_id, leaf in db.session.execute(
        select(LogEntry.round_id, LogEntry.leaf).where(LogEntry.kind == "round_published")
    ):
        published.setdefault(round_id, set()).add(json.loads(leaf)["source_sha256"])
    for round_ in db.session.scalars(select(Round).where(Round.visibility != "internal")):
        if round_.source_hash not in published.get(round_.id, set()):
            log_round_published(round_)
            counts["round_published"] += 1
    answered = {json.loads(leaf)["answer"] for leaf in db.session.scalars(
        select(LogEntry.leaf).where(LogEntry.kind == "answer_published"))}  # fmt: skip
    for response in db.session.scalars(
        select(ThemeResponse).where(ThemeResponse.published.is_(True)).order_by(ThemeResponse.id)
    ):
        if response.id not in answered and log_answer_when_due(response) is not None:
            counts["answer_published"] += 1
    return counts

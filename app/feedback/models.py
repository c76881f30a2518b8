"""Comments on provisions, their anchors, and how they were carried into later rounds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, db, utcnow
from app.drafting.models import Provision, Round

STANCES = ("support", "oppose", "amend", "question", "neutral")
STATUSES = ("open", "withdrawn")
BODY_LIMIT = 10_000
POST_LIMIT = "30 per minute"  # comments and replies per account, pages and API together
PROPOSAL_LIMIT = 5_000
HIDE_REASON_LIMIT = 1_000
CONSENT_TERMS_VERSION = "2026-11"
# What chairs decide about a proposed wording (docs/feedback.md, "Decisions"): a short reason is
# required where the proposal was not taken over as it stands.
DECISIONS = ("accepted", "partly_accepted", "not_taken_up")
REASON_REQUIRED = ("partly_accepted", "not_taken_up")
DECISION_REASON_LIMIT = 2_000
# Outcomes of proposals and of answered themes, as every page names them (one set of words and
# one set of CSS classes, `outcome-<value>`, for the chairs' side and the public alike).
OUTCOME_NAMES = {
    "accepted": "Accepted",
    "partly_accepted": "Partly accepted",
    "not_taken_up": "Not taken up",
    "out_of_scope": "Out of scope",
    "undecided": "Not decided yet",
}


class Comment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("external_id"),
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_comments_round_provision", "round_id", "provision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"))
    provision_id: Mapped[int] = mapped_column(ForeignKey("provisions.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="RESTRICT"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="web")
    stance: Mapped[str] = mapped_column(String(16), default="neutral")
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    # W3C Web Annotation selectors over the provision's plain text.
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_prefix: Mapped[str | None] = mapped_column(String(64))
    quote_suffix: Mapped[str | None] = mapped_column(String(64))
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    consent_terms: Mapped[str | None] = mapped_column(String(32))
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The chairs' one current decision on the proposed wording (its history is in the audit log).
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[Round] = relationship()
    provision: Mapped[Provision] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped[Comment | None] = relationship(remote_side="Comment.id")

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.stance} on provision={self.provision_id}>"

    @property
    def name(self) -> str:
        """How exports name a comment: its external id where it has one, else its id."""
        return self.external_id or str(self.id)

    @property
    def anchored(self) -> bool:
        return self.quote_exact is not None

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def decision_name(self) -> str | None:
        """The decision in words, "Not decided yet" for an undecided proposal, None without one."""
        if not self.proposed_text:
            return None
        return OUTCOME_NAMES[self.decision or "undecided"]


class CommentCarry(db.Model):  # type: ignore[name-defined]
    """Where a comment's passage landed in a later round: anchored, moved or orphaned."""

    __tablename__ = "comment_carries"
    __table_args__ = (UniqueConstraint("comment_id", "to_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    to_round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True
    )
    to_provision_id: Mapped[int | None] = mapped_column(
        ForeignKey("provisions.id", ondelete="SET NULL"), index=True
    )  # indexed: a provision's page lists what was carried into it
    status: Mapped[str] = mapped_column(String(16))  # anchored | moved | orphaned
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    adoption: Mapped[float] = mapped_column(Float, default=0.0)
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comment: Mapped[Comment] = relationship()
    to_round: Mapped[Round] = relationship()
    to_provision: Mapped[Provision | None] = relationship()

    def __repr__(self) -> str:
        return f"<CommentCarry comment={self.comment_id} {self.status}>"

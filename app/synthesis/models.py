"""Synthesis runs, themes, campaigns, the codebook and chairs' responses.

A *run* clusters the comments of one scope (a provision, a working group or a whole round) at
one moment. Its *themes* are rebuilt on every run; a *theme identity* is the theme as chairs
know it across re-runs of the same scope (their title, note, merges, "not relevant", moved
comments and response), matched to each new run's themes by centroid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, WorkingGroup
from app.core.db import UTCDateTime, db, utcnow
from app.core.i18n import N_
from app.drafting.models import Round
from app.feedback.models import OUTCOME_NAMES as _NAMES
from app.feedback.models import Comment

SCOPE_KINDS = ("provision", "group", "round")
RUN_STATUSES = ("queued", "running", "done", "failed")
# CONTRACT §7; "partly" became "partly_accepted" in revision 20261206 (migrated in place).
OUTCOMES = ("accepted", "partly_accepted", "not_taken_up", "out_of_scope")
OUTCOME_NAMES = {outcome: _NAMES[outcome] for outcome in OUTCOMES}
# The names of outcomes and decisions, marked for translation (templates show them through
# routes.outcome_label, notifications through their Outcome values; the API keeps the English).
OUTCOME_LABELS = {"accepted": N_("Accepted"), "partly_accepted": N_("Partly accepted"),
                  "not_taken_up": N_("Not taken up"), "out_of_scope": N_("Out of scope"),
                  "undecided": N_("Not decided yet")}


class SynthesisRun(db.Model):  # type: ignore[name-defined]
    __tablename__ = "synthesis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    scope_kind: Mapped[str] = mapped_column(String(16))
    provision_key: Mapped[str | None] = mapped_column(String(100))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="SET NULL"), index=True
    )
    # "provision:KEY", "group:SLUG" or "round": what identities and the codebook belong to.
    scope_key: Mapped[str] = mapped_column(String(120), index=True)
    model: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        back_populates="run", order_by="Theme.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    members: Mapped[list[ThemeMember]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True,
    )
    campaigns: Mapped[list[CampaignGroup]] = relationship(
        back_populates="run", order_by="CampaignGroup.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<SynthesisRun {self.id} {self.scope_key} {self.status}>"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class ThemeIdentity(db.Model):  # type: ignore[name-defined]
    """A theme as chairs know it across re-runs of one scope."""

    __tablename__ = "theme_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    not_relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme_identities.id", ondelete="SET NULL")
    )
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    codebook_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("codebook_entries.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    merged_into: Mapped[ThemeIdentity | None] = relationship(remote_side="ThemeIdentity.id")
    codebook_entry: Mapped[CodebookEntry | None] = relationship()
    response: Mapped[ThemeResponse | None] = relationship(
        back_populates="identity", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<ThemeIdentity {self.id} {self.scope_key} {self.title!r}>"

    def root(self) -> ThemeIdentity:
        """The identity this one was merged into, followed to the end (cycles stop)."""
        seen = {self.id}
        node = self
        while node.merged_into is not None and node.merged_into.id not in seen:
            node = node.merged_into
            seen.add(node.id)
        return node


class Theme(db.Model):  # type: ignore[name-defined]
    __tablename__ = "themes"
    __table_args__ = {"sqlite_autoincrement": True}  # a merged theme's id is never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("theme_identities.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200), default="")
    # One or two of its comments' most central sentences (extractive, no repeats), or the
    # optional summariser's sentences ("model": docs/synthesis.md).
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    summary_source: Mapped[str] = mapped_column(String(16), default="extract",
                                                server_default="extract")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    representatives: Mapped[list[int]] = mapped_column(JSON, default=list)  # comment ids
    by_category: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    by_stance: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    over_represented: Mapped[list[str]] = mapped_column(JSON, default=list)
    campaign_count: Mapped[int] = mapped_column(Integer, default=0)
    independent_count: Mapped[int] = mapped_column(Integer, default=0)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)

    run: Mapped[SynthesisRun] = relationship(back_populates="themes")
    identity: Mapped[ThemeIdentity] = relationship()
    members: Mapped[list[ThemeMember]] = relationship(
        back_populates="theme", order_by="ThemeMember.distance"
    )

    def __repr__(self) -> str:
        return f"<Theme {self.id} run={self.run_id} {self.display_label!r} size={self.size}>"

    @property
    def display_label(self) -> str:
        """The chair's title where one is set, else the generated label."""
        return self.identity.title or self.label


class ThemeMember(db.Model):  # type: ignore[name-defined]
    """One comment's place in a run: a theme, or unassigned (theme_id NULL). Exactly one row
    per comment and run, which is what makes "every comment exactly once" hold.

    `campaign_id` repeats the comment's campaign in this run (CampaignMember), so that the
    chairs' pages read a page of a theme's members, its campaigns or the run's unassigned
    comments through an index, however large the run (app/synthesis/listing.py)."""

    __tablename__ = "theme_members"
    __table_args__ = (
        UniqueConstraint("run_id", "comment_id"),
        Index("ix_theme_members_run_id_theme_id", "run_id", "theme_id"),
        Index("ix_theme_members_theme_id_campaign_id", "theme_id", "campaign_id"),
        Index("ix_theme_members_individual", "theme_id", "distance", "id",
              postgresql_where=text("campaign_id IS NULL"),
              sqlite_where=text("campaign_id IS NULL")),
        Index("ix_theme_members_unassigned", "run_id", "id",
              postgresql_where=text("theme_id IS NULL"), sqlite_where=text("theme_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="CASCADE"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_groups.id", ondelete="SET NULL")
    )
    distance: Mapped[float] = mapped_column(Float, default=0.0)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)

    run: Mapped[SynthesisRun] = relationship(back_populates="members")
    theme: Mapped[Theme | None] = relationship(back_populates="members")
    comment: Mapped[Comment] = relationship()
    campaign: Mapped[CampaignGroup | None] = relationship()

    def __repr__(self) -> str:
        return f"<ThemeMember run={self.run_id} theme={self.theme_id} comment={self.comment_id}>"


class ThemeMove(db.Model):  # type: ignore[name-defined]
    """A chair moved a comment to a theme (or to unassigned): re-applied on every re-run."""

    __tablename__ = "theme_moves"
    __table_args__ = (UniqueConstraint("round_id", "scope_key", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(120))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme_identities.id", ondelete="CASCADE")
    )
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    identity: Mapped[ThemeIdentity | None] = relationship()

    def __repr__(self) -> str:
        return f"<ThemeMove comment={self.comment_id} -> {self.identity_id}>"


class CampaignGroup(db.Model):  # type: ignore[name-defined]
    """Near-identical letters of one run: the template, its canonical copy and the senders."""

    __tablename__ = "campaign_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="CASCADE"), index=True
    )
    template: Mapped[str] = mapped_column(Text, default="")
    canonical_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    size: Mapped[int] = mapped_column(Integer, default=0)

    run: Mapped[SynthesisRun] = relationship(back_populates="campaigns")
    canonical: Mapped[Comment] = relationship()
    members: Mapped[list[CampaignMember]] = relationship(
        back_populates="campaign", order_by="CampaignMember.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<CampaignGroup {self.id} size={self.size}>"


class CampaignMember(db.Model):  # type: ignore[name-defined]
    __tablename__ = "campaign_members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "comment_id"),
        # A campaign's letters in its own order, and those that differ from the template (the
        # pages read the first few of each: app/synthesis/listing.py).
        Index("ix_campaign_members_campaign_id_id", "campaign_id", "id"),
        Index("ix_campaign_members_added", "campaign_id", "id",
              postgresql_where=text("addition != ''"), sqlite_where=text("addition != ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_groups.id", ondelete="CASCADE")
    )
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    addition: Mapped[str] = mapped_column(Text, default="")  # what this sender added

    campaign: Mapped[CampaignGroup] = relationship(back_populates="members")
    comment: Mapped[Comment] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignMember campaign={self.campaign_id} comment={self.comment_id}>"


class CodebookEntry(db.Model):  # type: ignore[name-defined]
    """A theme a chair expects, written before or between runs: a title and one line."""

    __tablename__ = "codebook_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CodebookEntry {self.id} {self.title!r}>"


class ThemeResponse(db.Model):  # type: ignore[name-defined]
    """The chairs' answer to a theme: what became of it in the next draft, and why."""

    __tablename__ = "theme_responses"
    __table_args__ = (UniqueConstraint("identity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("theme_identities.id", ondelete="CASCADE")
    )
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    responded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    identity: Mapped[ThemeIdentity] = relationship(back_populates="response")
    responded_by: Mapped[User | None] = relationship()
    provisions: Mapped[list[ResponseProvision]] = relationship(
        back_populates="response", order_by="ResponseProvision.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<ThemeResponse identity={self.identity_id} {self.outcome}>"

    @property
    def outcome_name(self) -> str:
        return OUTCOME_NAMES.get(self.outcome, self.outcome)


class ResponseProvision(db.Model):  # type: ignore[name-defined]
    """A provision of a later round that changed because of a response. Kept by key, so that
    re-importing that round (allowed while it has no feedback) does not lose the link."""

    __tablename__ = "response_provisions"
    __table_args__ = (UniqueConstraint("response_id", "round_id", "provision_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("theme_responses.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    provision_key: Mapped[str] = mapped_column(String(100))

    response: Mapped[ThemeResponse] = relationship(back_populates="provisions")
    round: Mapped[Round] = relationship()

    def __repr__(self) -> str:
        return f"<ResponseProvision response={self.response_id} {self.provision_key}>"


class ScopeSetting(db.Model):  # type: ignore[name-defined]
    """The secretariat's choices for one scope's syntheses (one row per round and scope)."""

    __tablename__ = "scope_settings"
    __table_args__ = (UniqueConstraint("round_id", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(120))
    # Whether the optional external summariser may read this scope's private comments.
    summarise_private: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ScopeSetting {self.scope_key} private={self.summarise_private}>"


class SynthesisChunk(db.Model):  # type: ignore[name-defined]
    """A slice of a large run's texts to embed (app/synthesis/fanout.py): taken by one worker
    at a time under a lease that its heartbeat renews; done once its vectors are cached."""

    __tablename__ = "synthesis_chunks"
    __table_args__ = (UniqueConstraint("run_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="CASCADE"),
                                        index=True)
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SynthesisChunk run={self.run_id} #{self.number} done={self.done_at is not None}>"

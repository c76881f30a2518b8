"""Codes, their rounds, the provisions of each round and the lineage between rounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, db, utcnow

VISIBILITIES = ("internal", "plenary", "public")
LINK_KINDS = ("unchanged", "modified", "moved", "split", "merged", "removed")


class Code(db.Model):  # type: ignore[name-defined]
    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="code", order_by="Round.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Code {self.slug}>"


class Round(db.Model):  # type: ignore[name-defined]
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("code_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date | None] = mapped_column(Date)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(16), default="internal")
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    preamble: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str] = mapped_column(String(300), default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    code: Mapped[Code] = relationship(back_populates="rounds")
    provisions: Mapped[list[Provision]] = relationship(
        back_populates="round",
        order_by="Provision.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Round {self.code_id}#{self.number} {self.visibility}>"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Whether feedback is taken now: a window is set, has opened and has not closed."""
        if self.final or self.opens_at is None or self.closes_at is None:
            return False
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at

    def consultation_status(self, now: dt.datetime | None = None) -> str:
        """One of: none, upcoming, open, closed."""
        if self.final or self.opens_at is None or self.closes_at is None:
            return "none"
        now = now or utcnow()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class Provision(db.Model):  # type: ignore[name-defined]
    __tablename__ = "provisions"
    __table_args__ = (
        UniqueConstraint("round_id", "key"),
        Index("ix_provisions_round_position", "round_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    depth: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    line: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("provisions.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="SET NULL"), index=True
    )

    round: Mapped[Round] = relationship(back_populates="provisions")
    parent: Mapped[Provision | None] = relationship(remote_side="Provision.id")
    group: Mapped[Any] = relationship("WorkingGroup")

    def __repr__(self) -> str:
        return f"<Provision {self.key} {self.label or self.title!r} round={self.round_id}>"

    @property
    def heading(self) -> str:
        """The heading as readers know it: "Measure 1.1: Title" or the title alone."""
        return f"{self.label}: {self.title}" if self.label else self.title


class LineageLink(db.Model):  # type: ignore[name-defined]
    """How one provision of a round became provisions of the next round."""

    __tablename__ = "lineage_links"
    __table_args__ = (UniqueConstraint("from_provision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True
    )
    to_round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True
    )
    from_provision_id: Mapped[int] = mapped_column(ForeignKey("provisions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float, default=0.0)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    # How sure the engine was (0..1; a secretariat's correction or confirmation is 1), and the
    # other provisions of the later round it weighed: [{"key": ..., "score": ...}], best first.
    confidence: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    from_provision: Mapped[Provision] = relationship(foreign_keys=[from_provision_id])
    targets: Mapped[list[LineageTarget]] = relationship(
        back_populates="link", cascade="all, delete-orphan", order_by="LineageTarget.id"
    )

    def __repr__(self) -> str:
        return f"<LineageLink {self.from_provision_id} {self.kind} {self.similarity:.2f}>"


class LineageTarget(db.Model):  # type: ignore[name-defined]
    __tablename__ = "lineage_targets"
    __table_args__ = (UniqueConstraint("link_id", "to_provision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lineage_links.id", ondelete="CASCADE"))
    to_provision_id: Mapped[int] = mapped_column(
        ForeignKey("provisions.id", ondelete="CASCADE"), index=True
    )

    link: Mapped[LineageLink] = relationship(back_populates="targets")
    to_provision: Mapped[Provision] = relationship()

    def __repr__(self) -> str:
        return f"<LineageTarget link={self.link_id} to={self.to_provision_id}>"


class LineageCorrection(db.Model):  # type: ignore[name-defined]
    """A secretariat's correction of a lineage link, re-applied on every re-import."""

    __tablename__ = "lineage_corrections"
    __table_args__ = (UniqueConstraint("code_id", "to_round", "from_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    to_round: Mapped[int] = mapped_column(Integer)
    from_key: Mapped[str] = mapped_column(String(100))
    # The new round's provisions, by label (or title where unnumbered): keys may be re-minted.
    to_locators: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<LineageCorrection {self.from_key} -> {self.to_locators}>"

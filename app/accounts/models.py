"""Accounts: participants, the secretariat, working groups and their members, tokens."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, db, utcnow

CATEGORIES = (
    "gpai_provider",
    "downstream_provider",
    "industry",
    "sme",
    "civil_society",
    "academia",
    "rightsholder",
    "independent_expert",
    "member_state",
    "observer",
    "other",
)
CATEGORY_NAMES = {
    "gpai_provider": _l("General-purpose AI provider"),
    "downstream_provider": _l("Downstream provider"),
    "industry": _l("Industry"),
    "sme": _l("SME or start-up"),
    "civil_society": _l("Civil society"),
    "academia": _l("Academia"),
    "rightsholder": _l("Rightsholder"),
    "independent_expert": _l("Independent expert"),
    "member_state": _l("Member State"),
    "observer": _l("Observer"),
    "other": _l("Other"),
}
ROLES = ("participant", "secretariat")
GROUP_ROLES = ("member", "chair", "vice_chair")
ROLE_NAMES = {"participant": _l("Participant"), "secretariat": _l("Secretariat")}
GROUP_ROLE_NAMES = {"member": _l("Member"), "chair": _l("Chair"), "vice_chair": _l("Vice-chair")}


def role_name(role: str) -> str:
    """A platform role as the reader's language names it."""
    return str(ROLE_NAMES.get(role, role))


def group_role_name(role: str) -> str:
    """A role in a working group as the reader's language names it ("vice-chair")."""
    return str(GROUP_ROLE_NAMES.get(role, role)).lower()


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default="other")
    role: Mapped[str] = mapped_column(String(16), default="participant")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    # Part of the login id: bumping it ends every session and remember cookie of this account.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language the account chose ("en", "fr"; docs/i18n.md): its e-mails are written in it.
    # None until it logs in or uses the language switcher.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"

    @property
    def display_name(self) -> str:
        return "Former participant" if self.deleted_at else self.name

    def group_role(self, group_id: int | None) -> str | None:
        """This account's role in a working group: member, chair, vice_chair or None."""
        if group_id is None:
            return None
        for membership in self.memberships:
            if membership.group_id == group_id:
                return membership.role
        return None

    def chairs(self, group_id: int | None) -> bool:
        return self.group_role(group_id) in ("chair", "vice_chair")

    @property
    def chaired_group_ids(self) -> set[int]:
        return {m.group_id for m in self.memberships if m.role in ("chair", "vice_chair")}


class WorkingGroup(db.Model):  # type: ignore[name-defined]
    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.slug}>"


class Membership(db.Model):  # type: ignore[name-defined]
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")

    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[WorkingGroup] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} group={self.group_id} {self.role}>"


class ApiToken(db.Model):  # type: ignore[name-defined]
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class Invitation(db.Model):  # type: ignore[name-defined]
    """A one-time link to set an account's password (invitation or reset)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="invite")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} user={self.user_id} {self.purpose}>"

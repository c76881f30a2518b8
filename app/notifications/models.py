"""What participants are told, and how they want to hear it (docs/notifications.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, db, utcnow
from app.drafting.models import Round
from app.feedback.models import Comment
from app.notifications.messages import shown

# The kinds of news, in the order the settings page lists them, with how it names each.
KINDS = {
    "comment_carried": _l("One of your comments was carried into a new draft"),
    "proposal_decided": _l("The chairs decided on wording you proposed"),
    "theme_answered": _l("The chairs answered a theme your comment is part of"),
    "round_published": _l("A new draft was published"),
    "window_opened": _l("A consultation opened"),
    "window_closing": _l("A consultation closes in two days"),
}
EMAIL_MODES = {
    "digest": _l("One e-mail a day with everything new (the default)"),
    "instant": _l("An e-mail for each notification, as it happens"),
    "off": _l("No e-mail: only this page and the feed"),
}


class Notification(db.Model):  # type: ignore[name-defined]
    """One piece of news for one account. `key` makes creating it idempotent (the worker and
    the hooks may meet the same event twice); `round_id` and `comment_id` name what it is
    about, so that it is shown only while the account may still see them."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # The message id and values that `title` and `body` say in English, to show them in the
    # reader's language (app/notifications/messages.py); None for notices made before.
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)

    user: Mapped[User] = relationship()
    round: Mapped[Round | None] = relationship()
    comment: Mapped[Comment | None] = relationship()

    @property
    def shown_title(self) -> str:
        """The title in the current language (the stored English when it cannot be)."""
        return shown(self, "title")

    @property
    def shown_body(self) -> str:
        return shown(self, "body")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class NotificationSettings(db.Model):  # type: ignore[name-defined]
    """An account's choices: kinds it does not want, how e-mail comes, its feed's token."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("user_id"), UniqueConstraint("feed_token_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(16), default="digest")
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64))
    feed_token_prefix: Mapped[str | None] = mapped_column(String(16))
    feed_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<NotificationSettings user={self.user_id} {self.email}>"

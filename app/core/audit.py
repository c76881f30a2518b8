"""The audit log: who did what to what, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, db, insert_rows, utcnow

SECRET_FIELDS = frozenset({"password", "token", "secret", "password_hash", "token_hash"})


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return (
            f"<AuditEvent {self.action} by {self.actor_id} on {self.target_type}:{self.target_id}>"
        )


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the caller's work, never on its own).

    Secrets never reach the log: keys that name one are dropped from `detail`.
    """
    target_type = target_id = None
    if target is not None:
        target_type = getattr(target, "__tablename__", type(target).__name__.lower())
        target_id = str(getattr(target, "id", target))
    event = AuditEvent(
        actor_id=getattr(actor, "id", actor) if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=_without_secrets(detail),
        address=address,
    )
    db.session.add(event)
    return event


def record_many(action: str, target_type: str, targets: list[tuple[Any, dict[str, Any]]], *,
                actor: Any = None) -> None:
    """One audit event per (target id, detail), written at once (a bulk import's accounts):
    one executemany INSERT, no objects in the session."""
    if not targets:
        return
    now = utcnow()
    actor_id = getattr(actor, "id", actor) if actor is not None else None
    rows = [{"at": now, "actor_id": actor_id, "action": action, "target_type": target_type,
             "target_id": str(target_id), "address": None,
             "detail": _without_secrets(detail)}
            for target_id, detail in targets]  # fmt: skip
    insert_rows(AuditEvent.__table__, rows)


def _without_secrets(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if k.lower() not in SECRET_FIELDS}

"""Personal data: export an account's data through an expiring link, and delete an account.

Services flush but never commit; the route that calls them commits once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import String, cast, delete, select
from werkzeug.security import check_password_hash

from app.accounts.models import ApiToken, Invitation, Membership, User
from app.core import audit, hooks
from app.core.audit import AuditEvent
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict, NotFound
from app.core.i18n import N_

EXPORT_MAX_AGE = 15 * 60  # seconds an export link stays valid
EXPORT_SALT = "plenary.account-export"
FORMER_NAME = "Former participant"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=EXPORT_SALT)


def export_token(user: User, secret_key: str) -> str:
    """A signed, timestamped token naming this account and its current session version."""
    return _serializer(secret_key).dumps({"u": user.id, "v": user.session_version})


def check_export_token(token: str, user: User, secret_key: str,
                       max_age: int = EXPORT_MAX_AGE) -> None:
    """Accept the token only for `user`, in the same session version, within `max_age` seconds.

    Raises NotFound, with the same message whatever was wrong (expired, forged, someone
    else's, or issued before a logout or password change).
    """
    refused = NotFound(N_("This export link is not valid any more. Open “Export my data” "
                          "again for a new one."))
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        raise refused from None
    if not isinstance(data, dict) or data.get("u") != user.id \
            or data.get("v") != user.session_version:
        raise refused


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> dict[str, Any]:
    """Everything Plenary holds about this account, as one JSON-ready document.

    The other domains add their sections (comments and where they went) through the
    `personal_data` hook, each checked against what the account may see.
    """
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()
    sign_ins = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id,
                                 AuditEvent.action.in_(("login.success", "logout")))
        .order_by(AuditEvent.id.desc()).limit(1000)
    ).all()
    document: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id, "email": user.email, "name": user.name,
            "organisation": user.organisation, "category": user.category, "role": user.role,
            "created_at": _iso(user.created_at), "deleted_at": _iso(user.deleted_at),
            "password_set": user.password_hash is not None, "language": user.locale,
        },
        "memberships": [{"group": m.group.slug, "group_name": m.group.name, "role": m.role}
                        for m in user.memberships],
        "api_tokens": [{"name": t.name, "starts_with": t.prefix,
                        "created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at),
                        "revoked_at": _iso(t.revoked_at)} for t in tokens],
        "sign_ins": [{"action": e.action, "at": _iso(e.at), "address": e.address}
                     for e in sign_ins],
    }
    for sections in hooks.personal_data.send(user=user):
        document.update(sections)
    return document


def delete_account(user: User, password: str) -> None:
    """Close the account and remove its personal data; its contributions stay, unnamed.

    The name becomes "Former participant", the email a placeholder, the organisation and the
    password go, every session, remember cookie, API token and invitation link stops working,
    group memberships end, and the email is scrubbed from earlier audit entries. Raises BadInput
    for a wrong password and Conflict for the last secretariat account.
    """
    if user.deleted_at is not None:
        raise NotFound(N_("This account is already closed."))
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        raise BadInput(N_("The password is not right."))
    if user.is_secretariat and _other_secretariats(user) == 0:
        raise Conflict(N_("You are the only secretariat account: give the role to someone "
                          "else before closing yours."))
    old_email = user.email
    now = utcnow()
    placeholder = f"deleted-{user.id}@invalid"
    user.name = FORMER_NAME
    user.email = placeholder
    user.organisation = None
    user.locale = None
    user.password_hash = None
    user.role = "participant"
    user.active = False
    user.deleted_at = now
    user.session_version += 1
    left = len(user.memberships)
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.expire(user, ["memberships"])
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                           ApiToken.revoked_at.is_(None))):
        token.revoked_at = now
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    _scrub_audit_emails(old_email, placeholder)
    audit.record("user.delete", actor=user, target=user, groups_left=left)
    db.session.flush()


def _other_secretariats(user: User) -> int:
    return len(db.session.scalars(
        select(User.id).where(User.role == "secretariat", User.id != user.id,
                              User.deleted_at.is_(None), User.active.is_(True))
    ).all())


def _scrub_audit_emails(email: str, placeholder: str) -> None:
    """Replace the address in audit details (account creation, failed logins) by the placeholder."""
    candidates = db.session.scalars(
        select(AuditEvent).where(cast(AuditEvent.detail, String).contains(email, autoescape=True))
    )
    for event in candidates:
        detail = dict(event.detail or {})
        changed = {k: placeholder for k, v in detail.items()
                   if isinstance(v, str) and v.strip().lower() == email}
        if changed:
            event.detail = {**detail, **changed}

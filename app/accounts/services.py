"""Account services: create, invite, authenticate, change passwords, manage groups and tokens.

Services flush but never commit; the route or command that calls them commits once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import force_locale, format_decimal, gettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import (
    CATEGORIES,
    GROUP_ROLES,
    ROLES,
    ApiToken,
    Invitation,
    Membership,
    User,
    WorkingGroup,
)
from app.core import audit
from app.core.db import db, insert_rows, utcnow
from app.core.errors import BadInput, Conflict, NotFound
from app.core.i18n import LANGUAGES, N_, language, language_of
from app.core.mail import mail_configured, send_mail
from app.core.text import blank

MIN_PASSWORD = 12
MAX_PASSWORD = 256
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# werkzeug's scrypt at its full cost (N=32768, r=8, p=1: about 0.1 s a hash). Only the test
# configuration lowers it (PLENARY_PASSWORD_HASH, app/config.py config_for_tests); the
# environment cannot.
HASH_METHOD = "scrypt"


def hash_password(password: str) -> str:
    """`password` hashed with the configured method (scrypt unless a test lowered its cost)."""
    return generate_password_hash(password, method=_method())


def _method() -> str:
    if has_app_context():
        return str(current_app.config.get("PLENARY_PASSWORD_HASH") or HASH_METHOD)
    return HASH_METHOD


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Compared against when the email is unknown, so both failures cost the same time."""
    return generate_password_hash("not-a-real-password-0000", method=method)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Validate an email address (syntax only, no DNS) and return it lower-cased."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise BadInput(N_("%(email)r is not a valid email address: %(reason)s"),
                       email=email.strip(), reason=str(error)) from None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(N_("A password needs at least %(limit)s characters."), limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise BadInput(N_("A password may have at most %(limit)s characters."),
                       limit=MAX_PASSWORD)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_group(slug: str) -> WorkingGroup:
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug))
    if group is None:
        raise NotFound(N_("There is no working group %(slug)r."), slug=slug)
    return group


def create_group(
    slug: str, name: str, description: str = "", *, actor: User | None = None
) -> WorkingGroup:
    if not SLUG_RE.match(slug):
        raise BadInput(N_("%(slug)r is not a valid group slug (lower-case letters, digits, "
                          "hyphens)."), slug=slug)
    if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)):
        raise Conflict(N_("A working group %(slug)r already exists."), slug=slug)
    group = WorkingGroup(slug=slug, name=name.strip() or slug, description=description)
    db.session.add(group)
    db.session.flush()
    audit.record("group.create", actor=actor, target=group, slug=slug)
    return group


def parse_group_spec(spec: str) -> tuple[str, str]:
    """`wg1`, `wg1:chair`, `wg2:vice_chair` -> (slug, role)."""
    slug, _, role = spec.partition(":")
    role = role or "member"
    if role not in GROUP_ROLES:
        raise BadInput(N_("%(spec)r: the role in a group is one of %(roles)s."), spec=spec,
                       roles=", ".join(GROUP_ROLES))
    return slug, role


def create_user(
    email: str,
    name: str,
    *,
    organisation: str | None = None,
    category: str = "other",
    role: str = "participant",
    groups: list[tuple[str, str]] | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; raise BadInput for invalid fields and Conflict for a taken email."""
    email = normalise_email(email)
    user = _new_user(email, name, organisation, category, role)
    if find_user(email):
        raise Conflict(N_("An account with the email %(email)s already exists."), email=email)
    if password is not None:
        check_password(password)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    for slug, group_role in groups or []:
        set_membership(user, get_group(slug), group_role, actor=actor)
    audit.record(
        "user.create",
        actor=actor,
        target=user,
        email=email,
        role=role,
        groups=[f"{s}:{r}" for s, r in groups or []],
    )
    return user


def _new_user(email: str, name: str, organisation: str | None, category: str,
              role: str) -> User:
    """An unsaved account with checked fields (the email is already normalised); BadInput."""
    name = name.strip()
    if blank(name):
        raise BadInput(N_("A name is required."))
    if len(name) > 200 or (organisation and len(organisation) > 200):
        raise BadInput(N_("Names and organisations have at most 200 characters."))
    if category not in CATEGORIES:
        raise BadInput(N_("Unknown category %(category)r; use one of %(categories)s."),
                       category=category, categories=", ".join(CATEGORIES))
    if role not in ROLES:
        raise BadInput(N_("Unknown role %(role)r; use one of %(roles)s."), role=role,
                       roles=", ".join(ROLES))
    return User(email=email, name=name, organisation=(organisation or "").strip() or None,
                category=category, role=role)


def add_participants(
    people: dict[str, tuple[str, str | None, str]], *, actor: User | None = None
) -> tuple[dict[str, int], dict[str, str]]:
    """Password-less participant accounts for many new emails at once (a bulk import's
    authors): `people` maps a normalised email no account has yet to (name, organisation,
    category). The checks of create_user; one INSERT for all, each audit-logged as
    create_user does. Returns the new accounts' ids by email and, by email, why one could
    not be created."""
    rows: list[dict[str, Any]] = []
    refused: dict[str, str] = {}
    now = utcnow()
    for email, (name, organisation, category) in people.items():
        try:
            user = _new_user(email, name, organisation, category, "participant")
        except BadInput as error:
            refused[email] = error.message
            continue
        rows.append({"email": email, "name": user.name, "organisation": user.organisation,
                     "category": category, "role": "participant", "password_hash": None,
                     "session_version": 1, "active": True, "created_at": now,
                     "deleted_at": None})  # fmt: skip
    if not rows:
        return {}, refused
    insert_rows(User.__table__, rows)
    emails = [row["email"] for row in rows]
    ids = {email: id_ for id_, email in db.session.execute(
        select(User.id, User.email).where(User.email.in_(emails)))}
    audit.record_many("user.create", "users", [
        (ids[email], {"email": email, "role": "participant", "groups": []}) for email in emails
    ], actor=actor)
    return ids, refused


def set_membership(
    user: User, group: WorkingGroup, role: str | None, *, actor: User | None = None
) -> None:
    """Make `user` a member/chair/vice-chair of `group`, or remove them (role None)."""
    if role is not None and role not in GROUP_ROLES:
        raise BadInput(N_("Unknown group role %(role)r."), role=role)
    existing = next((m for m in user.memberships if m.group_id == group.id), None)
    before = existing.role if existing else None
    if role is None:
        if existing:
            user.memberships.remove(existing)
    elif existing:
        existing.role = role
    else:
        user.memberships.append(Membership(group=group, role=role))
    db.session.flush()
    if before != role:
        audit.record(
            "membership.change",
            actor=actor,
            target=user,
            group=group.slug,
            before=before,
            after=role,
        )


def set_role(user: User, role: str, *, actor: User | None = None) -> None:
    if role not in ROLES:
        raise BadInput(N_("Unknown role %(role)r."), role=role)
    if user.role != role:
        audit.record("user.role", actor=actor, target=user, before=user.role, after=role)
        user.role = role
        user.session_version += 1


def authenticate(email: str, password: str) -> User | None:
    """The account for these credentials, or None — the same answer whatever was wrong."""
    user = find_user(email) if email else None
    if user is None or not user.password_hash or not user.is_active:
        check_password_hash(_dummy_hash(_method()), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session and remember cookie of the account."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    audit.record("user.password", actor=user, target=user)


def end_sessions(user: User) -> None:
    user.session_version += 1


def create_invitation(
    user: User, *, days: int, purpose: str = "invite", actor: User | None = None
) -> str:
    """A one-time link token to set the password; earlier unused links of the account expire."""
    now = utcnow()
    for old in db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ):
        old.expires_at = min(old.expires_at, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user=user,
            token_hash=digest(token),
            purpose=purpose,
            expires_at=now + dt.timedelta(days=days),
        )
    )
    db.session.flush()
    audit.record(f"invitation.{purpose}", actor=actor, target=user)
    return token


def invitation_for(token: str) -> Invitation | None:
    """The unused, unexpired invitation for this token, or None."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    if invitation.user.deleted_at is not None:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    set_password(invitation.user, password)
    invitation.used_at = utcnow()
    return invitation.user


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the secret is returned once and only its hash is kept."""
    name = "API token" if blank(name) else name.strip()
    secret = "pln_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], prefix=secret[:10], token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", actor=user, target=token, name=token.name)
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token.revoke", actor=actor, target=token)


def user_for_token(secret: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token.user


@dataclass(frozen=True)
class Invited:
    user: User
    link: str | None  # shown to the secretariat when no mail server is configured


def invitation_link(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/invite/{token}"


def invite(user: User, *, actor: User | None) -> Invited:
    """Create a one-time link; mail it when SMTP is configured, else return it to show."""
    token = create_invitation(
        user, days=current_app.config["INVITATION_DAYS"], actor=actor
    )
    link = invitation_link(token)
    if mail_configured():
        # In the account's language if it has one, else in the language of the page that
        # invited it (English from the command line).
        with force_locale(language_of(user) if user.locale else language()):
            subject = gettext("Your Plenary account")
            body = gettext(
                "Hello %(name)s,\n\nSet your password here (the link works once and expires "
                "in %(days)s days):\n%(link)s\n", name=user.name,
                days=format_decimal(current_app.config["INVITATION_DAYS"]), link=link)
        send_mail(user.email, subject, body)
        return Invited(user, None)
    return Invited(user, link)


def remember_language(user: User, chosen: str, *, replace: bool = True) -> None:
    """Keep the language the account reads in (`users.locale`), in which it is e-mailed; with
    `replace` False, only when it has none yet (the browser's language at the first login)."""
    if chosen in LANGUAGES and (replace or user.locale is None):
        user.locale = chosen


def load_user(login_id: str) -> User | None:
    """The account of a session's login id `<user id>:<session version>` (Flask-Login's user
    loader); None once the account is closed or the version moved on (logout, new password)."""
    user_id, _, version = login_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user

"""Secretariat services: accounts in bulk, invitations."""

from __future__ import annotations

import csv
import io

from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.services import Invited, invite
from app.core.db import db
from app.core.errors import BadInput, DomainError
from app.core.i18n import N_, Message

USER_COLUMNS = ("email", "name", "organisation", "category", "role", "groups")


def parse_groups(text: str) -> list[tuple[str, str]]:
    return [accounts.parse_group_spec(part.strip()) for part in text.split(",") if part.strip()]


def create_users_from_csv(data: bytes, *, actor: User) -> list[Invited]:
    """Create every account of a CSV file, or none: a bad row refuses the whole file.

    Raises BadInput whose detail lists each bad row as "line N: reason".
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(N_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"email", "name"} - set(reader.fieldnames or [])
    if missing:
        raise BadInput(N_("The CSV header lacks the column(s): %(columns)s."),
                       columns=", ".join(sorted(missing)))
    unknown = set(reader.fieldnames or []) - set(USER_COLUMNS)
    if unknown:
        raise BadInput(N_("Unknown CSV column(s): %(columns)s."),
                       columns=", ".join(sorted(unknown)))
    errors: list[str] = []
    created: list[User] = []
    seen: set[str] = set()
    savepoint = db.session.begin_nested()
    for row in reader:
        line = reader.line_num
        try:
            email = accounts.normalise_email(row.get("email") or "")
            if email in seen:
                raise BadInput(N_("%(email)s appears twice in the file."), email=email)
            seen.add(email)
            created.append(
                accounts.create_user(
                    email,
                    row.get("name") or "",
                    organisation=row.get("organisation"),
                    category=(row.get("category") or "other").strip(),
                    role=(row.get("role") or "participant").strip(),
                    groups=parse_groups(row.get("groups") or ""),
                    actor=actor,
                )
            )
        except DomainError as error:
            errors.append(Message(N_("line %(line)s: %(reason)s"), line=line, reason=error.message))
    if errors or not created:
        savepoint.rollback()
        if errors:
            raise BadInput(N_("No account was created: the file has bad rows."), detail=errors)
        raise BadInput(N_("The file has no rows."))
    savepoint.commit()
    return [invite(user, actor=actor) for user in created]

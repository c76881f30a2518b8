"""The bulk import's fast path: rows checked in Python, then stored a batch at a time.

Each row gets exactly the checks `submit_comment` makes (and the bulk import's own), so a bad
row is refused with its line number and nothing of it is stored, as before; the good rows of a
batch are written with a few statements whatever its size: one query for the external ids
already stored, one for the known authors, one flush for new authors, one multi-row INSERT for
the comments, and the `comments_imported` hook (search index and transparency log, a few
statements each). A database refusal of a batch (another import storing the same external id
meanwhile) is signalled with `BatchConflict`; the caller then stores that batch row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import services as accounts
from app.accounts.models import CATEGORIES, User
from app.core import hooks
from app.core.db import db, insert_rows, one_of, utcnow
from app.core.errors import BadInput
from app.core.i18n import N_, Message
from app.drafting.models import Provision, Round
from app.feedback.models import CONSENT_TERMS_VERSION, Comment
from app.feedback.services import anchor_quote, clean_body, clean_proposal, clean_stance

BATCH_SIZE = 500


class BatchConflict(Exception):
    """The database refused a batch (a unique external id or email taken meanwhile)."""


@dataclass
class Prepared:
    line: int
    email: str
    author: tuple[str, str | None, str]  # name, organisation, category: for a new account
    values: dict[str, Any]  # the comment's columns


def text_field(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadInput(N_("%(name)s must be text"), name=name)
    if "\x00" in value:  # no database stores it in text (PostgreSQL refuses it outright)
        raise BadInput(N_("%(name)s contains a NUL character"), name=name)
    return value


def author_of(row: dict[str, Any]) -> dict[str, Any]:
    """The row's author object: an email, and no NUL character in what it says."""
    raw = row.get("author")
    if not isinstance(raw, dict) or not raw.get("email"):
        raise BadInput(N_("author.email is required"))
    for name in ("email", "name", "organisation", "category"):
        if "\x00" in str(raw.get(name) or ""):
            raise BadInput(N_("author.%(name)s contains a NUL character"), name=name)
    return raw


def external_id_of(row: dict[str, Any]) -> str:
    external_id = text_field(row, "external_id")
    if external_id is None:
        raise BadInput(N_("external_id is required"))
    if len(external_id) > 100:
        raise BadInput(N_("external_id may have at most 100 characters"))
    return external_id


FUTURE_SLACK = dt.timedelta(days=1)  # clocks and time zones of the exporting system


def submitted_at(row: dict[str, Any]) -> dt.datetime | None:
    raw = text_field(row, "submitted_at")
    if raw is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(N_("submitted_at %(value)r is not an ISO 8601 date and time"),
                       value=raw) from None
    if moment.tzinfo is None:
        raise BadInput(N_("submitted_at needs a time zone (for example 2024-11-27T10:00:00Z)"))
    if moment > dt.datetime.now(dt.UTC) + FUTURE_SLACK:
        raise BadInput(N_("submitted_at %(value)s lies in the future"), value=raw)
    return moment


TRUE_WORDS = {"1", "true", "yes", "y", "on"}
FALSE_WORDS = {"", "0", "false", "no", "n", "off"}


def consent(row: dict[str, Any]) -> bool:
    """publish_consent: yes/true/1 or no/false/0 (empty or missing: no). Anything else is
    refused rather than read as no: a typo must not unpublish someone's comment silently."""
    value = row.get("publish_consent")
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadInput(N_("publish_consent %(value)r is neither yes nor no (write yes, true or 1; "
                      "no, false or 0; or leave it empty)"), value=str(value))


class RoundImport:
    """What every row of one round's import needs, loaded once: its provisions by key and by
    number label, and the accounts already resolved by email."""

    def __init__(self, round_: Round) -> None:
        self.round = round_
        provisions = list(db.session.scalars(
            select(Provision).where(Provision.round_id == round_.id).order_by(Provision.id)))
        self.by_key = {p.key: p for p in provisions}
        self.by_label: dict[str, Provision] = {}
        for p in provisions:
            if p.label is not None:
                self.by_label.setdefault(" ".join(p.label.split()).casefold(), p)
        self.users: dict[str, int] = {}
        self._emails: dict[str, str] = {}

    def provision(self, locator: str) -> Provision | None:
        """As drafting's find_provision: by key, else by number label."""
        return self.by_key.get(locator) or self.by_label.get(" ".join(locator.split()).casefold())

    def email(self, raw: str) -> str:
        if raw not in self._emails:
            self._emails[raw] = accounts.normalise_email(raw)
        return self._emails[raw]

    def prepare(self, line: int, row: dict[str, Any], external_id: str) -> Prepared:
        """The row's comment columns, checked; raises DomainError naming the problem."""
        locator = text_field(row, "provision")
        if locator is None:
            raise BadInput(N_("provision is required"))
        provision = self.provision(locator.strip())
        if provision is None:
            raise BadInput(N_("unknown provision %(locator)r in round %(round)s"),
                           locator=locator, round=self.round.number)
        raw = author_of(row)
        email = self.email(str(raw["email"]))
        name = str(raw.get("name") or "").strip() or email.split("@")[0]
        author = (name, str(raw.get("organisation") or "") or None,
                  str(raw.get("category") or "other"))
        now = submitted_at(row) or utcnow()
        published = consent(row)
        values = {
            "round_id": self.round.id, "provision_id": provision.id, "parent_id": None,
            "external_id": external_id, "idempotency_key": None, "source": "import",
            "stance": clean_stance(str(row.get("stance") or "")),
            "body": clean_body(text_field(row, "body") or ""),
            "proposed_text": clean_proposal(text_field(row, "proposed_text")),
            **anchor_quote(provision, text_field(row, "quote")),
            "status": "open", "publish_consent": published,
            "consent_at": now if published else None,
            "consent_terms": CONSENT_TERMS_VERSION if published else None,
            "created_at": now, "updated_at": now, "submitted_at": now,
        }  # fmt: skip
        return Prepared(line, email, author, values)

    def store(self, rows: list[Prepared], refused: list[tuple[int, str]],
              actor: User | None) -> int:
        """Store prepared rows (their authors first); rows whose new author cannot be created
        are added to `refused`. Raises BatchConflict, leaving nothing of the batch behind."""
        found = self._authors(rows)
        new: dict[str, tuple[str, str | None, str]] = {}
        problems: dict[str, str] = {}
        for row in rows:
            if row.email not in found and row.email not in new:
                category = row.author[2]
                if category not in CATEGORIES:
                    problems[row.email] = Message(N_("unknown category %(category)r"),
                                                  category=category)
                else:
                    new[row.email] = row.author
        try:
            with db.session.begin_nested():
                created, refusals = accounts.add_participants(new, actor=actor)
                problems |= refusals
                found |= created
                kept = [r for r in rows if r.email not in problems]
                for row in kept:
                    row.values["author_id"] = found[row.email]
                ids = self._insert([r.values for r in kept])
                hooks.comments_imported.send(round=self.round, ids=ids)
        except IntegrityError as error:
            raise BatchConflict from error
        self.users |= found
        refused += [(r.line, problems[r.email]) for r in rows if r.email in problems]
        return len(kept)

    @staticmethod
    def _insert(values: list[dict[str, Any]]) -> list[int]:
        """One bulk write (no RETURNING: on SQLite that is a statement per row), then the new
        ids by their external ids, in the order given."""
        if not values:
            return []
        insert_rows(Comment.__table__, values)
        ids = {external_id: id_ for external_id, id_ in db.session.execute(
            select(Comment.external_id, Comment.id).where(
                one_of(Comment.external_id, [v["external_id"] for v in values])))}
        return [ids[v["external_id"]] for v in values]

    def _authors(self, rows: list[Prepared]) -> dict[str, int]:
        """Accounts of the rows' emails (known ones from earlier batches, the rest in one query)."""
        found = {r.email: self.users[r.email] for r in rows if r.email in self.users}
        unknown = {r.email for r in rows} - found.keys()
        if unknown:
            lowered = func.lower(User.email, type_=String)
            found |= {email.lower(): uid for uid, email in db.session.execute(
                select(User.id, User.email).where(one_of(lowered, list(unknown))))}
        return found


def split_duplicates(rows: list[tuple[int, dict[str, Any], str]]) -> tuple[
        list[tuple[int, dict[str, Any], str]], int]:
    """Rows whose external id is neither stored already nor earlier in the batch, and how
    many were (duplicates, skipped)."""
    ids = list({external_id for _, _, external_id in rows})
    stored = set(db.session.scalars(select(Comment.external_id)
                                    .where(one_of(Comment.external_id, ids)))) if ids else set()
    fresh, duplicates = [], 0
    for line, row, external_id in rows:
        if external_id in stored:
            duplicates += 1
        else:
            stored.add(external_id)
            fresh.append((line, row, external_id))
    return fresh, duplicates


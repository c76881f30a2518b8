"""Importing draft rounds and storing their lineage (from the round before, to the round after).

Plain functions: they flush, never commit, and raise app.core.errors for a user's mistake.
What the other domains do about an import (carry comments forward, log a publication) they
do by listening to the hooks announced here (app/core/hooks.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from app.accounts.models import WorkingGroup
from app.core import audit, hooks
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict
from app.core.i18n import N_, Message
from app.drafting.alignment import Node, mint_key
from app.drafting.links import (
    align_with,
    code_keys,
    delete_links,
    realign,
    store_links,
    stored_provisions,
)
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.models import (
    Code,
    LineageLink,
    Provision,
    Round,
)
from app.drafting.parser import DraftError, ParsedRound, parse_draft


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did: created, replaced or unchanged, and the link counts."""

    status: str
    round: Round
    filename: str
    provisions: int
    kinds: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))
        text = f"{self.filename}: {self.status} round {self.round.number}"
        text += f" ({self.provisions} provisions"
        return text + (f"; {counts})" if counts else ")")


def parse(text: str, filename: str, default_code: str | None = None) -> ParsedRound:
    """Parse a draft file; DraftError becomes BadInput("file:line: problem"), the problem
    translated on a page."""
    try:
        return parse_draft(text, filename, default_code=default_code)
    except DraftError as error:
        raise BadInput(at_line(error.filename, error.line,
                               Message(error.template, **error.values))) from None


def at_line(filename: str, line: int, problem: str) -> Message:
    """ "file:line: problem", the problem (a `Message`) in the reader's language on a page."""
    return Message(N_("%(file)s:%(line)s: %(problem)s"), file=filename, line=line,
                   problem=problem)


def import_round(
    text: str, filename: str, *, actor: Any = None, default_code: str | None = None
) -> ImportResult:
    """Import one round file: all or nothing (a savepoint), idempotent by source hash.

    An edited file of a round without comments replaces it (lineage recomputed from the
    previous round and to the next); a round with comments is never overwritten.
    Raises BadInput ("file:line: problem") or Conflict; nothing is written then.
    """
    parsed = parse(text, filename, default_code)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with db.session.begin_nested():
        return _import(parsed, digest, filename, actor)


@dataclass(frozen=True)
class RoundFile:
    """A round file read and checked, waiting to be imported."""

    number: int
    text: str
    filename: str
    default_code: str


def read_round_files(path: str | Path) -> list[RoundFile]:
    """A round file, or every `*.md` file of a folder, parsed and sorted by round number.

    The code slug defaults to the folder's name. Raises BadInput for the first malformed
    file, so nothing is imported when one of them is bad.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.md"))
        if not files:
            raise BadInput(N_("%(path)s: no round files (*.md) in this folder"), path=str(path))
    elif path.is_file():
        files = [path]
    else:
        raise BadInput(N_("%(path)s: no such file or folder"), path=str(path))
    loaded = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise BadInput(at_line(str(file), 1, Message(N_("the file is not UTF-8 text")))
                           ) from None
        number = parse(text, str(file), file.parent.name).round
        loaded.append(RoundFile(number, text, str(file), file.parent.name))
    return sorted(loaded, key=lambda f: f.number)


def import_file(file: RoundFile, *, actor: Any = None) -> ImportResult:
    """Import one file read by `read_round_files`."""
    return import_round(file.text, file.filename, actor=actor, default_code=file.default_code)


def import_path(path: str | Path, *, actor: Any = None) -> list[ImportResult]:
    """Import a round file or a folder of them in round order (see `read_round_files`)."""
    return [import_file(file, actor=actor) for file in read_round_files(path)]


def _import(parsed: ParsedRound, digest: str, filename: str, actor: Any) -> ImportResult:
    groups = _groups(parsed, filename)
    code = db.session.scalar(select(Code).where(Code.slug == parsed.code))
    if code is None:
        code = Code(slug=parsed.code, title=parsed.title)
        db.session.add(code)
        db.session.flush()
    existing = db.session.scalar(
        select(Round).where(Round.code_id == code.id, Round.number == parsed.round)
    )
    if existing is not None and existing.source_hash == digest:
        return ImportResult("unchanged", existing, filename, len(existing.provisions))
    status = "created"
    if existing is not None:
        if refusal := hooks.round_replace_refusal.any(round=existing):
            raise Conflict(at_line(filename, 1, refusal))
        _clear(existing)
        status = "replaced"
    code.title = parsed.title
    round_ = existing or Round(code=code, number=parsed.round)
    _fill_round(round_, parsed, filename, digest)
    db.session.add(round_)
    db.session.flush()
    previous, following = _neighbours(round_)
    old = stored_provisions(previous) if previous is not None else []
    html = [render_markdown(p.body) for p in parsed.provisions]
    nodes = [Node(p.index, p.key, p.kind, p.label, p.number, p.title, plain_text(h), p.parent)
             for p, h in zip(parsed.provisions, html, strict=True)]  # fmt: skip
    alignment = align_with(code, round_.number, old, nodes) if previous is not None else None
    if alignment is not None:
        keys = list(alignment.keys)
    else:
        keys = _first_round_keys(nodes, code_keys(code))
    created = _store_provisions(round_, parsed, html, nodes, keys, groups)
    kinds: Counter[str] = Counter()
    if previous is not None and alignment is not None:
        kinds = store_links(previous, round_, old, created, alignment)
    hooks.round_imported.send(previous=previous, current=round_, actor=actor)
    if following is not None:
        realign(round_, following, actor=actor)
    if round_.visibility != "internal":
        hooks.round_published.send(round=round_, actor=actor)
    audit.record("draft.import", actor=actor, target=round_, code=code.slug,
                 round=round_.number, status=status, file=filename,
                 provisions=len(created))  # fmt: skip
    return ImportResult(status, round_, filename, len(created), dict(kinds))


def _groups(parsed: ParsedRound, filename: str) -> dict[str, int]:
    """Working-group ids by slug; an unknown slug is refused on the line that names it."""
    slugs = {p.group for p in parsed.provisions if p.group}
    found = {
        g.slug: g.id
        for g in db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug.in_(slugs)))
    }
    for provision in parsed.provisions:
        if provision.group and provision.group not in found:
            raise BadInput(at_line(filename, provision.line, Message(
                N_("unknown working group '%(group)s' (create it first: plenary groups create)"),
                group=provision.group)))
    return found


def _clear(round_: Round) -> None:
    """Remove a round's provisions and every lineage link into or out of it."""
    delete_links((LineageLink.from_round_id == round_.id) | (LineageLink.to_round_id == round_.id))
    db.session.execute(
        delete(Provision).where(Provision.round_id == round_.id, Provision.parent_id.is_not(None))
    )
    db.session.execute(delete(Provision).where(Provision.round_id == round_.id))
    db.session.expire(round_, ["provisions"])


def _fill_round(round_: Round, parsed: ParsedRound, filename: str, digest: str) -> None:
    round_.name, round_.date, round_.final = parsed.name, parsed.date, parsed.final
    round_.visibility, round_.levels = parsed.visibility, list(parsed.levels)
    round_.opens_at = parsed.opens.astimezone(dt.UTC) if parsed.opens else None
    round_.closes_at = parsed.closes.astimezone(dt.UTC) if parsed.closes else None
    round_.preamble, round_.source_name = parsed.preamble, Path(filename).name
    round_.source_hash, round_.imported_at = digest, utcnow()


def _neighbours(round_: Round) -> tuple[Round | None, Round | None]:
    base = select(Round).where(Round.code_id == round_.code_id)
    previous = db.session.scalar(
        base.where(Round.number < round_.number).order_by(Round.number.desc()).limit(1)
    )
    following = db.session.scalar(
        base.where(Round.number > round_.number).order_by(Round.number).limit(1)
    )
    return previous, following


def _first_round_keys(nodes: Sequence[Node], reserved: set[str]) -> list[str]:
    taken = set(reserved) | {n.key for n in nodes if n.key}
    keys = []
    for node in nodes:
        key = node.key or mint_key(node, taken)
        taken.add(key)
        keys.append(key)
    return keys


def _store_provisions(
    round_: Round,
    parsed: ParsedRound,
    rendered: Sequence[str],
    nodes: Sequence[Node],
    keys: Sequence[str],
    groups: dict[str, int],
) -> list[Provision]:
    """Insert the round's provisions, one bulk INSERT per depth (parents get ids first)."""
    ids: dict[int, int] = {}
    by_depth: dict[int, list[int]] = {}
    for p in parsed.provisions:
        by_depth.setdefault(p.depth, []).append(p.index)
    for depth in sorted(by_depth):
        rows = []
        for index in by_depth[depth]:
            p, text = parsed.provisions[index], nodes[index].text
            rows.append({
                "round_id": round_.id, "key": keys[index], "kind": p.kind, "depth": p.depth,
                "position": p.index, "label": p.label, "number": p.number, "title": p.title,
                "body": p.body, "body_html": rendered[index], "text": text,
                "search_text": f"{p.title}\n{text}".lower(), "line": p.line,
                "parent_id": ids[p.parent] if p.parent is not None else None,
                "group_id": groups.get(p.group) if p.group else None,
            })  # fmt: skip
        inserted = db.session.scalars(
            insert(Provision).returning(Provision.id, sort_by_parameter_order=True), rows
        ).all()
        ids.update(zip(by_depth[depth], inserted, strict=True))
    db.session.expire(round_, ["provisions"])
    return stored_provisions(round_)



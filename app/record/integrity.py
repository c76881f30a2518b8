"""Local checks that only the database can answer: does the stored subtree table hold exactly
the tree of the leaves, and do the stored comments, rounds and answers still hash to what the
log recorded about them? A row changed behind the platform's back shows up here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, literal, select

from app.core.db import db
from app.drafting.models import Code, Provision, Round
from app.feedback.models import Comment
from app.record import merkle
from app.record.canonical import comment_form, commitment, rfc3339
from app.record.events import answer_due, comment_set, comment_set_root
from app.record.models import LogEntry, LogHead, LogNode, LogState

CHUNK = 2000


def _nodes(level: int, start: int, end: int) -> dict[int, str]:
    rows = db.session.execute(
        select(LogNode.index, LogNode.hash).where(
            LogNode.level == level, LogNode.index >= start, LogNode.index < end
        )
    )
    return {index: value for index, value in rows}


def _parent(left: str, right: str) -> str:
    return merkle.node_hash(bytes.fromhex(left), bytes.fromhex(right)).hex()


def node_problems(size: int) -> list[str]:
    """Every perfect subtree of the first `size` leaves is stored, once, with the hash of its
    two children (level 0: the entry's leaf hash), and nothing else is stored."""
    problems: list[str] = []
    level = 0
    while size >> level:
        count = size >> level
        for start in range(0, count, CHUNK):
            end = min(count, start + CHUNK)
            stored = _nodes(level, start, end)
            if level == 0:
                expected = {index: value for index, value in db.session.execute(
                    select(LogEntry.leaf_index, LogEntry.leaf_hash)
                    .where(LogEntry.leaf_index >= start, LogEntry.leaf_index < end)
                )}  # fmt: skip
            else:
                below = _nodes(level - 1, 2 * start, 2 * end)
                expected = {
                    i: _parent(below[2 * i], below[2 * i + 1])
                    for i in range(start, end) if 2 * i in below and 2 * i + 1 in below
                }  # fmt: skip
            for index in range(start, end):
                if stored.get(index) is None or stored[index] != expected.get(index):
                    problems.append(
                        f"stored subtree (level {level}, index {index}) is wrong or missing"
                    )
        level += 1
    problems.extend(_state_problems(size))
    beyond = db.session.execute(
        select(LogNode.level, LogNode.index)
        .where(LogNode.index >= literal(size, BigInteger).op(">>")(LogNode.level))
        .limit(20)
    )
    for lv, index in beyond:
        problems.append(f"stored subtree (level {lv}, index {index}) is beyond the log")
    return problems


def _state_problems(size: int) -> list[str]:
    """The sequencer row agrees with the tables (it is what the next append starts from)."""
    state = db.session.get(LogState, 1)
    if state is None:
        return []  # rebuilt from the tables by the next append
    keys = merkle.compact_range(size)
    edge = {index: value for index, value in _edge_nodes(keys)}
    expected = "".join(edge.get(k, "?") for k in keys)
    head = db.session.get(LogHead, size)
    if (state.tree_size, state.edge) != (size, expected) or (
        head is not None and state.key_id != head.key_id
    ):
        return [f"the log's state row (size {state.tree_size}) does not match its tables"]
    return []


def _edge_nodes(keys: list[tuple[int, int]]) -> list[tuple[tuple[int, int], str]]:
    found = []
    for level, index in keys:
        value = _nodes(level, index, index + 1).get(index)
        if value is not None:
            found.append(((level, index), value))
    return found


def _parsed(index: int, leaf: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        value = json.loads(leaf)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        problems.append(f"entry {index} is not JSON")
        return None
    return value


@dataclass
class _Logged:
    entry: int | None = None  # the latest commitment entry
    leaf: dict[str, Any] | None = None
    salt: str | None = None
    withdrawn: bool = False
    hidden: bool = False


def _logged_comments(problems: list[str]) -> dict[int, _Logged]:
    logged: dict[int, _Logged] = {}
    query = (
        select(LogEntry.leaf_index, LogEntry.kind, LogEntry.leaf, LogEntry.salt)
        .where(
            LogEntry.kind.in_(("comment", "comment_edited", "comment_withdrawn", "comment_hidden"))
        )
        .order_by(LogEntry.leaf_index)
        .execution_options(yield_per=CHUNK)
    )
    for index, kind, leaf_text, salt in db.session.execute(query):
        leaf = _parsed(index, leaf_text, problems)
        if leaf is None or not isinstance(leaf.get("comment"), int):
            continue
        state = logged.setdefault(leaf["comment"], _Logged())
        if kind == "comment_withdrawn":
            state.withdrawn = True
        elif kind == "comment_hidden":
            state.hidden = bool(leaf.get("hidden"))
        else:
            state.entry, state.leaf, state.salt = index, leaf, salt
    return logged


def _comment_problems() -> list[str]:
    problems: list[str] = []
    logged = _logged_comments(problems)
    query = (
        select(Comment, Code.slug, Round.number, Provision.key)
        .join(Round, Round.id == Comment.round_id)
        .join(Code, Code.id == Round.code_id)
        .join(Provision, Provision.id == Comment.provision_id)
        .order_by(Comment.id)
        .execution_options(yield_per=CHUNK)
    )
    for comment, code, number, key in db.session.execute(query):
        state = logged.pop(comment.id, None)
        if state is None or state.entry is None or state.leaf is None:
            problems.append(f"comment {comment.id} is stored but not in the log")
            continue
        form = comment_form({
            "code": code, "round": number, "provision": key, "comment": comment.id,
            "parent": comment.parent_id, "stance": comment.stance, "body": comment.body,
            "quote": comment.quote_exact, "proposed_text": comment.proposed_text,
            "submitted_at": rfc3339(comment.submitted_at),
        })  # fmt: skip
        if not state.salt or commitment(state.salt, form) != state.leaf.get("commitment"):
            problems.append(f"comment {comment.id} no longer matches its log entry {state.entry}: "
                            "it was changed outside the platform")  # fmt: skip
        said = "withdrawn" if state.withdrawn else "not withdrawn"
        if state.withdrawn != (comment.status == "withdrawn"):
            problems.append(f"comment {comment.id} is {comment.status} but the log says {said}")
        said = "hidden" if state.hidden else "shown"
        if state.hidden != comment.hidden:
            shown = "hidden" if comment.hidden else "shown"
            problems.append(f"comment {comment.id} is {shown} but the log says {said}")
    for comment_id, state in sorted(logged.items()):
        problems.append(
            f"comment {comment_id} is in the log (entry {state.entry}) but no longer stored"
        )
    return problems


def _round_problems() -> list[str]:
    problems: list[str] = []
    sources: dict[tuple[Any, Any], set[Any]] = {}
    closings = []
    query = select(LogEntry).where(LogEntry.kind.in_(("round_published", "window_closed")))
    for entry in db.session.scalars(query.order_by(LogEntry.leaf_index)):
        leaf = _parsed(entry.leaf_index, entry.leaf, problems)
        if leaf is None:
            continue
        if entry.kind == "round_published":
            key = (leaf.get("code"), leaf.get("round"))
            sources.setdefault(key, set()).add(leaf.get("source_sha256"))
        else:
            closings.append((entry, leaf))
    rounds = db.session.execute(
        select(Round, Code.slug).join(Code).where(Round.visibility != "internal")
    )
    for round_, code in rounds:
        if round_.source_hash not in sources.get((code, round_.number), set()):
            problems.append(f"round {code}/{round_.number} is visible but its source is not "
                            "one the log recorded")  # fmt: skip
    for entry, leaf in closings:
        if entry.round_id is None:
            continue
        members, withdrawn = comment_set(entry.round_id, before=entry.leaf_index)
        expected = (len(members), withdrawn, comment_set_root(members))
        if (leaf.get("comments"), leaf.get("withdrawn"), leaf.get("comments_root")) != expected:
            problems.append(f"window_closed entry {entry.leaf_index} does not match the comments "
                            "logged before it")  # fmt: skip
    return problems


def _answer_problems() -> list[str]:
    from app.synthesis.models import ThemeResponse

    latest: dict[int, tuple[int, dict[str, Any]]] = {}
    problems: list[str] = []
    query = select(LogEntry.leaf_index, LogEntry.leaf).where(LogEntry.kind == "answer_published")
    for index, leaf_text in db.session.execute(query.order_by(LogEntry.leaf_index)):
        leaf = _parsed(index, leaf_text, problems)
        if leaf is not None and isinstance(leaf.get("answer"), int):
            latest[leaf["answer"]] = (index, leaf)
    for response in db.session.scalars(
        select(ThemeResponse).where(ThemeResponse.published.is_(True))
    ):
        found = latest.get(response.id)
        digest = hashlib.sha256((response.reason or "").encode("utf-8")).hexdigest()
        if found is None and not answer_due(db.session.get(Round, response.identity.round_id)):
            continue  # logged when its round's window closes
        if found is None:
            problems.append(f"answer {response.id} is published but not in the log")
        elif (found[1].get("outcome"), found[1].get("answer_sha256")) != (response.outcome, digest):
            problems.append(f"answer {response.id} no longer matches its log entry {found[0]}")
    return problems


def record_problems() -> list[str]:
    """What the stored records say that the log does not (one line each)."""
    return _comment_problems() + _round_problems() + _answer_problems()

"""Checking the log and receipts, over the API of a running instance or the local database.

Each failed check is one line naming it: ``keys``, ``signature``, ``leaves``, ``tree``,
``inclusion``, ``consistency``, ``records`` (local only: stored comments and rounds against
their leaves), ``state``, ``fetch``, and for receipts ``format``, ``commitment`` and
``leaf_hash``. The state a check of the log leaves behind is the last head it saw, with the
compact range of its tree, so that the next check proves the log only grew since.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.record import merkle
from app.record.canonical import canonical_json, comment_form, commitment, head_message
from app.record.signing import key_id_for, verify

PAGE = 1000
HEX = frozenset("0123456789abcdef")
LINES_PER_CHECK = 20


class SourceError(Exception):
    """The log could not be read (network, HTTP error, bad answer)."""


class Source(Protocol):
    name: str

    def head(self) -> dict[str, Any]: ...
    def keys(self) -> dict[str, Any]: ...
    def entries(self, start: int, end: int) -> list[dict[str, Any]]: ...
    def inclusion(self, leaf_index: int, tree_size: int) -> list[str]: ...
    def consistency(self, first: int, second: int) -> list[str]: ...
    def heads(self) -> Iterable[dict[str, Any]]: ...
    def tree_problems(self, size: int) -> list[str]: ...
    def record_problems(self) -> list[str]: ...


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def fail(self, check: str, message: str) -> None:
        self.counts[check] = self.counts.get(check, 0) + 1
        if self.counts[check] <= LINES_PER_CHECK:
            self.failures.append(f"{check}: {message}")
        elif self.counts[check] == LINES_PER_CHECK + 1:
            self.failures.append(f"{check}: further failures of this check left out")

    @property
    def ok(self) -> bool:
        return not self.failures


def published_keys(source: Source, report: Report) -> dict[str, str]:
    """key_id -> public key of every key the log publishes; a key whose id does not match is
    a `keys` failure."""
    answer = source.keys()
    found = {}
    for key in [answer, *answer.get("previous", [])]:
        try:
            raw = base64.b64decode(key["public_key"], validate=True)
        except (KeyError, ValueError):
            report.fail("keys", f"key {key.get('key_id')!r} has no valid public key")
            continue
        if key_id_for(raw) != key.get("key_id"):
            report.fail("keys", f"key id {key.get('key_id')!r} is not that of its public key")
            continue
        found[key["key_id"]] = key["public_key"]
    return found


def head_signed(head: dict[str, Any], keys: dict[str, str]) -> str | None:
    """Why a head's signature does not hold, or None."""
    name = f"head of size {head.get('tree_size')}"
    key = keys.get(str(head.get("key_id")))
    if key is None:
        return f"{name} names key {head.get('key_id')!r}, which the log does not publish"
    try:
        message = head_message(head)
    except KeyError as missing:
        return f"{name} lacks {missing}"
    if not verify(key, message, str(head.get("signature", ""))):
        return f"{name} is not validly signed by key {head['key_id']}"
    return None


def _pages(source: Source, start: int, end: int) -> Iterator[dict[str, Any]]:
    while start < end:
        page = source.entries(start, min(end, start + PAGE))
        if not page:
            raise SourceError(f"the log returned no entries from index {start}")
        yield from page
        start += len(page)


def _sample(start: int, size: int) -> list[int]:
    """Leaf indices whose inclusion proofs are checked: the new ones' ends and a spread."""
    picks = {0, size - 1, start if start < size else size - 1, (start + size) // 2}
    picks.update(range(0, size, max(1, size // 12)))
    return sorted(i for i in picks if 0 <= i < size)


def check_log(
    source: Source, state: dict[str, Any] | None, *, full: bool
) -> tuple[Report, dict[str, Any]]:
    """Every check of the log; returns the report and the state to keep when it holds."""
    report = Report()
    keys = published_keys(source, report)
    head = source.head()
    size, root = int(head["tree_size"]), str(head["root_hash"])
    if problem := head_signed(head, keys):
        report.fail("signature", problem)
    if state and not _state_usable(state):
        report.fail("state", "the saved state of this log is damaged; remove it to start afresh")
        return report, {}
    start, edge = 0, []
    seen = int(state["tree_size"]) if state else 0
    if state and not full and state.get("edge") is not None and seen <= size:
        start, edge = seen, [bytes.fromhex(h) for h in state["edge"]]
        if merkle.fold(edge).hex() != state["root_hash"] or len(edge) != bin(start).count("1"):
            report.fail("state", "the saved state does not fold to its own root; use --full")
            return report, {}
    heads = _Heads(source.heads(), keys, report)
    old_root = None
    for entry in _pages(source, start, size):
        index, leaf = int(entry["leaf_index"]), str(entry["leaf"])
        if index != start:
            report.fail("leaves", f"expected leaf {start}, the log gave leaf {index}")
            return report, {}
        hashed = merkle.leaf_hash(leaf.encode("utf-8"))
        if hashed.hex() != entry["leaf_hash"]:
            report.fail("leaves", f"leaf {index} does not hash to its stored leaf_hash")
        if not _canonical(leaf):
            report.fail("leaves", f"leaf {index} is not canonical JSON")
        edge, _ = merkle.append(start, edge, hashed)
        start += 1
        current_root = merkle.fold(edge).hex()
        if start == seen:
            old_root = current_root
        heads.check_root(start, current_root)
    heads.finish()
    if merkle.fold(edge).hex() != root:
        report.fail("tree", f"the leaves do not give the signed root of size {size}")
    for problem in source.tree_problems(size):
        report.fail("tree", problem)
    _check_inclusion(source, report, seen, size, root)
    if state:
        _check_against_state(source, report, state, size, root, old_root)
    for problem in source.record_problems():
        report.fail("records", problem)
    new_state = {"tree_size": size, "root_hash": root, "timestamp": head.get("timestamp"),
                 "key_id": head.get("key_id"), "edge": [h.hex() for h in edge]}  # fmt: skip
    return report, new_state


def _state_usable(state: dict[str, Any]) -> bool:
    edge = state.get("edge")
    return (
        isinstance(state.get("tree_size"), int)
        and state["tree_size"] >= 0
        and _hex(state.get("root_hash"))
        and (edge is None or (isinstance(edge, list) and all(_hex(h) for h in edge)))
    )


class _Heads:
    """Stored heads (ascending size), checked as the scan of the leaves reaches their size."""

    def __init__(self, heads: Iterable[dict[str, Any]], keys: dict[str, str], report: Report):
        self._heads, self._keys, self._report = iter(heads), keys, report
        self._next = self._advance()

    def _advance(self) -> dict[str, Any] | None:
        head = next(self._heads, None)
        if head is not None and (problem := head_signed(head, self._keys)):
            self._report.fail("signature", problem)
        return head

    def check_root(self, size: int, root: str) -> None:
        while self._next is not None and int(self._next["tree_size"]) <= size:
            if int(self._next["tree_size"]) == size and self._next["root_hash"] != root:
                self._report.fail("tree", f"the signed head of size {size} has a root the "
                                  "leaves do not give")  # fmt: skip
            self._next = self._advance()

    def finish(self) -> None:
        while self._next is not None:
            self._report.fail("tree", f"a signed head of size {self._next['tree_size']} is "
                              "larger than the log")  # fmt: skip
            self._next = self._advance()


def _check_inclusion(source: Source, report: Report, seen: int, size: int, root: str) -> None:
    for index in _sample(seen, size):
        path = [bytes.fromhex(h) for h in source.inclusion(index, size)]
        leaf = source.entries(index, index + 1)[0]
        leaf_hash = merkle.leaf_hash(str(leaf["leaf"]).encode("utf-8"))
        if not merkle.verify_inclusion(leaf_hash, index, size, path, bytes.fromhex(root)):
            report.fail("inclusion", f"the log's proof for leaf {index} in tree {size} fails")


def _check_against_state(source: Source, report: Report, state: dict[str, Any], size: int,
                         root: str, old_root: str | None) -> None:  # fmt: skip
    first, first_root = int(state["tree_size"]), str(state["root_hash"])
    if first > size:
        report.fail("consistency", f"the log shrank from {first} to {size} entries")
        return
    if old_root is not None and old_root != first_root:
        report.fail("consistency", f"the first {first} leaves no longer give the root last seen")
    if first == 0:
        return
    path = [bytes.fromhex(h) for h in source.consistency(first, size)]
    if not merkle.verify_consistency(
        first, size, bytes.fromhex(first_root), bytes.fromhex(root), path
    ):
        report.fail("consistency", f"the log's proof from size {first} to {size} fails")


def _canonical(leaf: str) -> bool:
    try:
        return canonical_json(json.loads(leaf)).decode("utf-8") == leaf
    except ValueError:
        return False


# -- receipts -------------------------------------------------------------------------------

RECEIPT_FIELDS = {"leaf_index": int, "leaf_hash": str, "salt": str, "leaf": str, "comment": dict,
                  "sth": dict}  # fmt: skip


def _receipt_format(receipt: Any, report: Report) -> bool:
    """Fields present and of the right kind (a damaged file is a `format` failure)."""
    if not isinstance(receipt, dict):
        report.fail("format", "the receipt is not a JSON object")
        return False
    for name, kind in RECEIPT_FIELDS.items():
        if not isinstance(receipt.get(name), kind) or isinstance(receipt.get(name), bool):
            report.fail("format", f"the receipt has no valid {name!r}")
    sth = receipt.get("sth")
    if isinstance(sth, dict):
        if not isinstance(sth.get("tree_size"), int) or not _hex(sth.get("root_hash")):
            report.fail("format", "the receipt's tree head has no valid tree_size or root_hash")
    if not _hex(receipt.get("salt")) or not _hex(receipt.get("leaf_hash")):
        report.fail("format", "the receipt's salt and leaf_hash must be 64 hex digits")
    return report.ok


def _hex(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in HEX for c in value)


def check_receipt(receipt: Any, source: Source) -> Report:
    """Whether the receipt's leaf commits to its comment, is in its signed head's tree, and
    that tree is a prefix of the log's current one."""
    report = Report()
    if not _receipt_format(receipt, report):
        return report
    leaf_text, sth = receipt["leaf"], receipt["sth"]
    try:
        leaf = json.loads(leaf_text)
        form = comment_form(receipt["comment"])
        recomputed = commitment(receipt["salt"], form)
    except (ValueError, AttributeError) as error:
        report.fail("format", f"the receipt cannot be read: {error}")
        return report
    if (
        not isinstance(leaf, dict)
        or leaf.get("type") not in ("comment", "comment_edited")
        or (leaf.get("comment") != form["comment"])
    ):
        report.fail("commitment", "the leaf is not a commitment to this comment")
    elif leaf.get("commitment") != recomputed:
        report.fail("commitment", "the comment and salt do not give the leaf's commitment")
    leaf_hash = merkle.leaf_hash(leaf_text.encode("utf-8"))
    if leaf_hash.hex() != receipt["leaf_hash"]:
        report.fail("leaf_hash", "the leaf does not hash to the receipt's leaf_hash")
    keys = published_keys(source, report)
    if problem := head_signed(sth, keys):
        report.fail("signature", f"receipt's {problem}")
    index, size, root = receipt["leaf_index"], sth["tree_size"], bytes.fromhex(sth["root_hash"])
    try:
        path = [bytes.fromhex(h) for h in source.inclusion(index, size)]
    except SourceError as error:
        report.fail("inclusion", f"no proof for leaf {index} in tree {size}: {error}")
    else:
        if not merkle.verify_inclusion(leaf_hash, index, size, path, root):
            report.fail("inclusion", f"leaf {index} is not in the receipt's tree of size {size}")
    head = source.head()
    if problem := head_signed(head, keys):
        report.fail("signature", f"the log's current {problem}")
    current = int(head["tree_size"])
    if size > current:
        report.fail(
            "consistency", f"the receipt's tree ({size}) is larger than the log ({current})"
        )
    elif size > 0:
        path = [bytes.fromhex(h) for h in source.consistency(size, current)]
        if not merkle.verify_consistency(
            size, current, root, bytes.fromhex(head["root_hash"]), path
        ):
            report.fail("consistency", f"the log's tree ({current}) does not extend the receipt's")
    return report

"""Canonical forms of what the log records: canonical JSON, comment commitments, tree heads.

Pure functions (no Flask, no database), mirrored line for line by the standard-library script
docs/verify_receipt.py, so that anyone can recompute a leaf. docs/record.md documents each
form; changing one changes every hash, so never do it without a new `type` of leaf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

COMMENT_FIELDS = (
    "code",  # the Code's slug
    "round",  # the round number
    "provision",  # the provision key
    "comment",  # the comment's id on the platform
    "parent",  # the id of the comment it replies to, or null
    "stance",
    "body",
    "quote",  # the exact quoted passage, or null
    "proposed_text",  # or null
    "submitted_at",  # RFC 3339, UTC, whole seconds
)
HEAD_FIELDS = ("tree_size", "root_hash", "timestamp", "key_id")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with keys sorted and no whitespace (characters beyond ASCII as themselves)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def rfc3339(moment: dt.datetime) -> str:
    """A timestamp as the log writes it: UTC, whole seconds, a trailing Z."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def comment_form(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a comment: exactly COMMENT_FIELDS, missing ones null.

    Raises ValueError on an unknown field, so that a receipt carrying anything else is refused
    rather than silently hashed differently.
    """
    unknown = set(fields) - set(COMMENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown comment field(s): {', '.join(sorted(unknown))}")
    return {name: fields.get(name) for name in COMMENT_FIELDS}


def commitment(salt_hex: str, form: Mapping[str, Any]) -> str:
    """sha256(salt || canonical_json(form)), lowercase hex; the salt is 32 random bytes."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical_json(dict(form))).hexdigest()


def head_message(head: Mapping[str, Any]) -> bytes:
    """What a tree head's Ed25519 signature covers: the canonical JSON of HEAD_FIELDS."""
    return canonical_json({name: head[name] for name in HEAD_FIELDS})


def comment_set_leaf(comment_id: int, leaf_hash_hex: str) -> bytes:
    """A leaf of a round's comment-set tree (the root a `window_closed` entry records)."""
    return canonical_json({"comment": comment_id, "leaf_hash": leaf_hash_hex})

"""Large scopes (LARGE_FROM comments or more): read streamed, themed in two stages, written in
bulk (docs/synthesis.md, "Large scopes").

The scope's comments are read as plain rows (id, body, proposed wording), READ_BATCH at a time
(`yield_per`: a server-side cursor on PostgreSQL, a stepped cursor on SQLite) in pages of
READ_PAGE rows by id, never as ORM objects. Each batch is embedded through the vector cache
and reduced to what the run keeps of it: the comment id, its unit vector as float16, whether it
is content-free, a hash of its words and its MinHash band keys; the texts are then dropped.
`bulk.store_large` writes the result, in the run's transaction: the caller commits once, or
rolls back (progress commits come only between pages, before anything of the run is written).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from app.core.db import db
from app.embedding.engine import Embedder
from app.embedding.models import EmbeddingCache
from app.embedding.services import embed_texts
from app.feedback.models import Comment
from app.synthesis.duplicates import BANDS, text_band_keys
from app.synthesis.noise import is_content_free
from app.synthesis.vectors import joined_text

LARGE_FROM = 20_000  # comments in a scope from which it is read streamed and themed in two stages
READ_BATCH = 2000
READ_PAGE = 50_000  # rows per streamed query; progress is committed between them
Report = Callable[[int, int], None]


@dataclass
class ScopeRows:
    """What a large run keeps of its scope's comments, row i for the i-th comment by id."""

    ids: np.ndarray  # int64
    vectors: np.ndarray  # (n, dim) float16 unit rows
    free: np.ndarray  # bool: content-free
    words: np.ndarray  # uint64: hash of the lower-cased words (equal for identical letters)
    eligible: np.ndarray  # int64 rows long enough to be judged as copies
    bands: np.ndarray  # (len(eligible), BANDS) uint64 MinHash band keys
    batches: list[int] = field(default_factory=list)  # rows per batch read (for the tests)


def large_from() -> int:
    return int(current_app.config.get("PLENARY_SYNTHESIS_LARGE_FROM") or LARGE_FROM)


def comment_filter(round_id: int, provision_ids: Sequence[int]) -> tuple[Any, ...]:
    """The WHERE clauses that pick a scope's comments (`services.scope_comments` too): the
    top-level comments of its provisions, neither hidden nor withdrawn."""
    return (Comment.round_id == round_id, Comment.provision_id.in_(provision_ids),
            Comment.parent_id.is_(None), Comment.hidden_at.is_(None),
            Comment.status != "withdrawn")


def scope_size(round_id: int, provision_ids: Sequence[int]) -> int:
    """How many comments a run of the scope covers (one COUNT query)."""
    if not provision_ids:
        return 0
    return int(db.session.scalar(select(func.count(Comment.id))
                                 .where(*comment_filter(round_id, provision_ids))) or 0)


def is_large(round_id: int, provision_ids: Sequence[int]) -> bool:
    """Whether the scope has PLENARY_SYNTHESIS_LARGE_FROM comments or more."""
    return scope_size(round_id, provision_ids) >= large_from()


def words_hash(text: str) -> int:
    """A 64-bit hash of the lower-cased words of `text` (punctuation and spacing ignored)."""
    from app.synthesis.duplicates import _words

    digest = hashlib.blake2b(" ".join(_words(text)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def read_scope(
    round_id: int,
    provision_ids: Sequence[int],
    embedder: Embedder,
    *,
    report: Report | None = None,
    batch: int = READ_BATCH,
    page: int | None = None,
) -> ScopeRows:
    """The comments of a scope (its round and provisions) streamed `batch` rows at a time,
    embedded through the cache.

    They are read in pages of `page` rows by id (keyset), each page one streamed query, and
    progress is reported between pages only: the worker commits progress, and a commit would
    close an open server-side cursor."""
    ids = list(provision_ids)
    expected = scope_size(round_id, ids)
    page = page or READ_PAGE
    rows = ScopeRows(
        ids=np.zeros(expected, np.int64), vectors=np.zeros((expected, embedder.dim), np.float16),
        free=np.zeros(expected, bool), words=np.zeros(expected, np.uint64),
        eligible=np.zeros(0, np.int64), bands=np.zeros((0, BANDS), np.uint64))
    if not ids:
        return rows
    eligible, bands = [], []
    done, last, more = 0, 0, True
    while more:
        query = (select(Comment.id, Comment.body, Comment.proposed_text)
                 .where(*comment_filter(round_id, ids), Comment.id > last).order_by(Comment.id)
                 .limit(page).execution_options(yield_per=batch))
        got = 0
        for part in db.session.execute(query).partitions():
            texts = [joined_text(body, proposed) for _, body, proposed in part]
            stop = done + len(texts)
            if stop > len(rows.ids):  # comments arrived since the count
                _grow(rows, stop)
            rows.ids[done:stop] = [row[0] for row in part]
            rows.vectors[done:stop] = embed_texts(texts, embedder)
            rows.free[done:stop] = [is_content_free(t) for t in texts]
            rows.words[done:stop] = [words_hash(t) for t in texts]
            local, keys = text_band_keys(texts)
            eligible.append(local + done)
            bands.append(keys)
            rows.batches.append(len(texts))
            _forget_cached_vectors()
            done, got, last = stop, got + len(texts), int(rows.ids[stop - 1])
        more = got == page
        if report is not None:
            report(done, max(done, expected))
    if done < len(rows.ids):  # comments withdrawn since the count
        _grow(rows, done)
    rows.eligible = np.concatenate(eligible) if eligible else rows.eligible
    rows.bands = np.concatenate(bands) if bands else rows.bands
    return rows


def _grow(rows: ScopeRows, size: int) -> None:
    for name in ("ids", "free", "words", "vectors"):
        old = getattr(rows, name)
        new = np.zeros((size, *old.shape[1:]), old.dtype)
        new[: min(size, len(old))] = old[:size]
        setattr(rows, name, new)


def _forget_cached_vectors() -> None:
    """Drop the cache rows a batch embedded from the session (they are flushed): a large run
    must not keep a million of them in the identity map."""
    for obj in [o for o in db.session.identity_map.values() if isinstance(o, EmbeddingCache)]:
        db.session.expunge(obj)

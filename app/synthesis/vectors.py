"""The vectors of a run's comments: what is embedded for a comment, and its cached vector.

Services embed (through `app.embedding.services.embed_texts`) when a run starts; the chairs'
edits afterwards only read the cache, so they never wait for the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from app.core.errors import Conflict
from app.core.i18n import N_
from app.embedding.engine import Embedder, text_hash
from app.embedding.services import cached_vectors, phrase_vectors
from app.feedback.models import Comment


def comment_text(comment: Comment) -> str:
    """What is embedded and labelled: the body, and the proposed wording where there is one."""
    return joined_text(comment.body, comment.proposed_text)


def joined_text(body: str, proposed_text: str | None) -> str:
    """`comment_text` of a comment read as columns (large scopes stream rows, not objects)."""
    return f"{body}\n{proposed_text}" if proposed_text else body


def cached_comment_vectors(model: str, comments: Iterable[Comment]) -> dict[int, np.ndarray]:
    """Each comment's cached vector under `model`, by comment id.

    Raises Conflict when one is missing: its text changed since the run embedded it.
    """
    hashes = {c.id: text_hash(comment_text(c)) for c in comments}
    found = cached_vectors(model, list(hashes.values()))
    if any(digest not in found for digest in hashes.values()):
        raise Conflict(N_("Some comments changed since this run; run the synthesis again."))
    return {cid: found[digest] for cid, digest in hashes.items()}


def text_vectors(
    texts: Sequence[str], embedder: Embedder, known: Mapping[str, np.ndarray] | None = None
) -> np.ndarray:
    """Unit vectors of `texts` under `embedder`: from `known` (text -> vector: a run's own
    comments, which titles and summaries weigh again, as the run holds them) or the embedding
    cache for texts embedded before, the rest embedded as passing phrases (`phrase_vectors`,
    never stored)."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    known = known or {}
    rest = list(dict.fromkeys(t for t in texts if t not in known))
    hashes = [text_hash(t) for t in rest]
    found = cached_vectors(embedder.name, hashes) if rest else {}
    missing = [t for t, h in zip(rest, hashes, strict=True) if h not in found]
    fresh = dict(zip(missing, phrase_vectors(missing, embedder), strict=True)) if missing else {}
    by_text = {t: found[h] if h in found else fresh[t] for t, h in zip(rest, hashes, strict=True)}
    return np.stack([known[t] if t in known else by_text[t] for t in texts]).astype(np.float32)

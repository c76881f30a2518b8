"""Vectors for texts: from the cache where (model, text hash) is known, embedded otherwise.

Plain functions that flush, never commit. `get_embedder` gives the process's configured model
(loaded once); drafting (lineage) and synthesis both come here for vectors.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import select

from app.core.db import db, utcnow
from app.core.errors import Unavailable
from app.core.i18n import N_
from app.embedding.engine import Embedder, text_hash
from app.embedding.models import EmbeddingCache, bytes_vector

Progress = Callable[[int, int], None]
BATCH_SIZE = 64
_CHUNK = 500  # hashes per IN (...) query

_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()
log = logging.getLogger(__name__)

# Under `auto`, a run with more distinct texts to embed than PLENARY_EMBED_INT8_ABOVE takes this
# path (docs/synthesis.md, "The embedding path"); every other run, the exact one.
FAST_BACKEND = "onnx-int8"
INT8_SPEEDUP = 2.0  # int8 over fp32 with int8 dot products: 2.0-2.3 measured (bench_embedding)


def get_embedder(backend: str | None = None) -> Embedder:
    """The process's embedder, created once: the configured model on `backend` (default: the
    configured one, PLENARY_EMBEDDING_BACKEND, see `backends.py`), or the deterministic
    HashingEmbedder when PLENARY_FAKE_EMBEDDER is set (tests use that FAKE because loading the
    real model takes seconds; tests marked `model` prove the real path).

    Raises Unavailable, saying why, when the model cannot be loaded (missing model files, an
    ONNX cache folder that cannot be written with `onnx` or `onnx-int8` chosen)."""
    from app.embedding.backends import make_embedder
    from app.embedding.engine import HashingEmbedder

    config = current_app.config
    if config.get("PLENARY_FAKE_EMBEDDER"):
        return HashingEmbedder()
    path = config.get("PLENARY_EMBEDDING_MODEL") or ""
    backend = backend or config.get("PLENARY_EMBEDDING_BACKEND") or "auto"
    threads = config.get("PLENARY_EMBEDDING_THREADS") or None
    cache = config.get("PLENARY_EMBEDDING_CACHE") or str(Path(current_app.instance_path) / "models")
    key = f"{backend}|{path}|{threads}|{cache}"
    with _embedders_lock:
        if key not in _embedders:
            try:
                _embedders[key] = make_embedder(backend, path or None, cache, threads)
            except Exception as error:
                raise Unavailable(N_("The embedding model cannot be loaded: %(reason)s"),
                                  reason=str(error)[:300]) from error
        return _embedders[key]


def takes_fast_path(exact_missing: int, fast_missing: int, above: int | None) -> bool:
    """Whether a run embeds with int8: when more than `above` of its distinct texts are missing
    from the exact path's cache (`exact_missing`; None: never) and int8, about INT8_SPEEDUP
    times as fast, has less to do than the exact path (`fast_missing` of them are missing
    from its own cache). A run whose vectors the exact path mostly has (a group scope after
    its measures' runs, a scope that grew) stays exact; one that took int8 keeps it."""
    return (above is not None and exact_missing > above
            and fast_missing < INT8_SPEEDUP * exact_missing)


def int8_dot_products(cpuinfo: str) -> bool:
    """Whether the processor `cpuinfo` (the text of /proc/cpuinfo) multiplies int8 vectors in
    one instruction (x86 VNNI or AMX, Arm's dot product). Without, int8 embeds only 1.2-1.4
    times as fast as fp32 (measured on AVX2), too little to give up PyTorch's exact vectors."""
    return re.search(r"\b(avx512_vnni|avx_vnni|amx_int8|asimddp)\b", cpuinfo) is not None


@lru_cache(maxsize=1)
def _fast_processor() -> bool:
    try:
        return int8_dot_products(Path("/proc/cpuinfo").read_text(errors="replace"))
    except OSError:  # not Linux: stay exact
        return False


def run_embedder(texts: Sequence[str]) -> Embedder:
    """The embedder of a run over `texts`: the configured one, except under `auto` on a
    processor with int8 dot products when `takes_fast_path` (FAST_BACKEND: two to three times
    as fast, its themes as good by the ARI rule, its titles less often the best;
    docs/synthesis.md). Exact still if the int8 path cannot be built (a warning says why)."""
    exact = get_embedder()
    config = current_app.config
    if not _fast_allowed() or not _fast_processor():
        return exact
    above = config.get("PLENARY_EMBED_INT8_ABOVE")
    distinct = list({text_hash(t) for t in texts})
    if above is None or len(distinct) <= above:  # too few to weigh: no cache read
        return exact
    missing = len(distinct) - len(cached_hashes(exact.name, distinct))
    if missing <= above:
        return exact
    try:
        fast = get_embedder(FAST_BACKEND)
    except Exception as error:  # no onnxruntime, an unwritable cache folder: stay exact
        log.warning("this run embeds on the exact path: int8 is unavailable (%s)", error)
        return exact
    fast_missing = len(distinct) - len(cached_hashes(fast.name, distinct))
    return fast if takes_fast_path(missing, fast_missing, above) else exact


def embedder_named(name: str) -> Embedder | None:
    """The embedder of this process whose vectors are named `name` (a run's model, as a
    chunk task receives it): the configured one or, under `auto`, the int8 one; None if
    neither (a worker configured for another model leaves the chunk to others)."""
    exact = get_embedder()
    if exact.name == name:
        return exact
    if _fast_allowed():
        try:
            fast = get_embedder(FAST_BACKEND)
        except Exception:  # unavailable here: another worker may have it
            return None
        if fast.name == name:
            return fast
    return None


def prepare_embedders() -> list[Embedder]:
    """Load every embedder a run of this process may take, building their ONNX files on
    first use: the configured one and, under `auto`, the int8 one (if it can be built)."""
    found = [get_embedder()]
    if _fast_allowed() and _fast_processor():
        try:
            found.append(get_embedder(FAST_BACKEND))
        except Exception as error:  # runs stay exact; run_embedder says why
            log.warning("the int8 embedding path is unavailable (%s)", error)
    return found


def _fast_allowed() -> bool:
    config = current_app.config
    return not config.get("PLENARY_FAKE_EMBEDDER") and (
        config.get("PLENARY_EMBEDDING_BACKEND") or "auto") == "auto"


def embed_texts(
    texts: Sequence[str], embedder: Embedder, *, progress: Progress | None = None
) -> np.ndarray:
    """Vectors for `texts`, from the cache where (model, text hash) is known; only the rest is
    embedded (each distinct text once, in batches) and added to the cache."""
    hashes = [text_hash(t) for t in texts]
    vectors = cached_vectors(embedder.name, hashes)
    missing: dict[str, str] = {}
    for digest, text in zip(hashes, texts, strict=True):
        if digest not in vectors and digest not in missing:
            missing[digest] = text
    cached = len(texts) - sum(1 for h in hashes if h in missing)
    if progress is not None:
        progress(cached, len(texts))
    if missing:
        counts: dict[str, int] = {}
        for digest in hashes:
            if digest in missing:
                counts[digest] = counts.get(digest, 0) + 1
        order = list(missing)

        def report(done: int, _total: int) -> None:
            if progress is not None:
                progress(cached + sum(counts[d] for d in order[:done]), len(texts))

        new = embedder.encode([missing[d] for d in order], batch_size=BATCH_SIZE, progress=report)
        for digest, vector in zip(order, new, strict=True):
            vectors[digest] = np.asarray(vector, dtype=np.float32)
            db.session.add(EmbeddingCache(model=embedder.name, text_hash=digest,
                                          vector=vector.astype(np.float32).tobytes()))
        db.session.flush()
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([vectors[h] for h in hashes]).astype(np.float32)


_PHRASES: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
PHRASE_CACHE = 20_000  # about 30 MB of 384-float vectors
_phrases_lock = threading.Lock()


def phrase_vectors(texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    """Vectors for short, passing texts (candidate theme titles, summary sentences): embedded
    once per process and kept in a bounded memory cache, never written to the database."""
    keys = [(embedder.name, text_hash(t)) for t in texts]
    with _phrases_lock:
        missing = {key: text for key, text in zip(keys, texts, strict=True)
                   if key not in _PHRASES}
    if missing:
        new = embedder.encode(list(missing.values()), batch_size=BATCH_SIZE)
        with _phrases_lock:
            for key, vector in zip(missing, new, strict=True):
                _PHRASES[key] = np.asarray(vector, dtype=np.float32)
            while len(_PHRASES) > PHRASE_CACHE:
                _PHRASES.popitem(last=False)
    with _phrases_lock:
        found = [_PHRASES.get(key) for key in keys]
    if any(v is None for v in found):  # evicted meanwhile by another thread: embed them again
        return np.asarray(embedder.encode(list(texts), batch_size=BATCH_SIZE), dtype=np.float32)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack(found).astype(np.float32)  # type: ignore[arg-type]


def cached_vectors(model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """The cached vectors of `model` for those of `hashes` that are cached."""
    found: dict[str, np.ndarray] = {}
    unique = sorted(set(hashes))
    for start in range(0, len(unique), _CHUNK):
        rows = db.session.execute(
            select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
                EmbeddingCache.model == model,
                EmbeddingCache.text_hash.in_(unique[start : start + _CHUNK]),
            )
        )
        for digest, data in rows:
            vector = bytes_vector(data)
            if vector is not None:
                found[digest] = vector
    return found


def cached_hashes(model: str, hashes: Sequence[str]) -> set[str]:
    """Those of `hashes` whose vector under `model` is cached (reads hashes, not vectors)."""
    found: set[str] = set()
    unique = sorted(set(hashes))
    for start in range(0, len(unique), _CHUNK):
        found.update(db.session.scalars(
            select(EmbeddingCache.text_hash).where(
                EmbeddingCache.model == model,
                EmbeddingCache.text_hash.in_(unique[start : start + _CHUNK]),
            )
        ))
    return found


def store_vectors(model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
    """Add these vectors to the cache, leaving any (model, hash) already there alone, so that
    two workers storing the same texts at once both succeed (INSERT ... ON CONFLICT DO
    NOTHING on SQLite and PostgreSQL). Flushes nothing else; the caller commits."""
    if not len(hashes):
        return
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    rows = [{"model": model, "text_hash": digest, "created_at": now,
             "vector": np.asarray(vector, dtype=np.float32).tobytes()}
            for digest, vector in zip(hashes, vectors, strict=True)]
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(insert(EmbeddingCache).values(rows[start : start + _CHUNK])
                           .on_conflict_do_nothing(index_elements=["model", "text_hash"]))

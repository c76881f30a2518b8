"""Vectors of the real model for bench texts, cached in bench/out/ (git-ignored) by text hash,
so that a rerun embeds only texts it has not seen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.embedding.engine import Embedder, SentenceTransformerEmbedder, text_hash

OUT = Path(__file__).parent / "out"


class CachedEmbedder:
    """Embeds with the real model on first use of a text; remembers every vector on disk.

    `backend` (as PLENARY_EMBEDDING_BACKEND names them) picks the embedding path; the
    reference, PyTorch, by default. Each path keeps its own cache file."""

    def __init__(self, path: Path | None = None, backend: str = "torch") -> None:
        suffix = "" if backend == "torch" else f"-{backend}"
        self.path = path or OUT / f"vectors-all-MiniLM-L6-v2{suffix}.npz"
        self.backend = backend
        self._model: Embedder | None = None
        self._cache: dict[str, np.ndarray] = {}
        self._unsaved = 0
        if self.path.is_file():
            stored = np.load(self.path)
            self._cache = dict(zip(stored["hashes"].tolist(), stored["vectors"], strict=True))

    @property
    def model(self) -> Embedder:
        if self._model is None:
            if self.backend == "torch":
                self._model = SentenceTransformerEmbedder()
            else:
                from app.embedding.backends import make_embedder

                self._model = make_embedder(self.backend, None, OUT / "models", threads=2)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit float32 rows, one per text."""
        keys = [text_hash(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            fresh = self.model.encode([first[k] for k in missing])
            self._cache.update(zip(missing, fresh, strict=True))
            self._unsaved += len(missing)
            if self._unsaved >= 2000:
                self.save()
        if not keys:
            return np.zeros((0, 384), np.float32)
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)

    __call__ = encode

    def save(self) -> None:
        """Write the cache (call once at the end; it is also written every 2,000 new texts)."""
        self._unsaved = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        hashes = np.array(list(self._cache), dtype="U64")
        vectors = np.stack(list(self._cache.values())).astype(np.float32)
        np.savez(self.path, hashes=hashes, vectors=vectors)

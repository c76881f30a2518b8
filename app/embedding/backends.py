"""Which runtime embeds: PyTorch sentence-transformers (the reference and the fallback) or the
same model on ONNX Runtime, as PLENARY_EMBEDDING_BACKEND says (docs/synthesis.md).

- `torch`: sentence-transformers on PyTorch.
- `onnx`: ONNX Runtime, fp32, optimised graph (vectors equal to PyTorch's within 1e-5).
- `onnx-int8`: ONNX Runtime with int8 weights (faster, vectors a little further off).
- `auto` (default): AUTO, fp32 ONNX (PyTorch's vectors); PyTorch when ONNX Runtime is
  missing or the ONNX file cannot be built (a warning says why). A large run may take int8
  instead: `app.embedding.services.run_embedder` decides, per run.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.embedding.engine import Embedder, SentenceTransformerEmbedder

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
# The exact path; bench/bench_embedding.py measures which is fastest within 0.01 ARI of PyTorch
# (int8), and services.run_embedder gives int8 the large runs only (docs/synthesis.md).
AUTO = "onnx"
_VARIANT = {"onnx": "fp32", "onnx-int8": "int8"}


def make_embedder(backend: str, model_path: str | None, cache_folder: str | Path,
                  threads: int | None = None) -> Embedder:
    """A new embedder for `backend` (one of BACKENDS) on the model in `model_path` (None: the
    packaged one); ONNX files are built into and read from `cache_folder`.

    Raises ValueError for an unknown backend; with an explicit `onnx`/`onnx-int8`, whatever the
    ONNX build raises (ImportError without onnxruntime). `auto` falls back to PyTorch instead.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
    chosen = AUTO if backend == "auto" else backend
    if chosen != "torch":
        from app.embedding.onnx_engine import OnnxEmbedder

        try:
            return OnnxEmbedder(model_path, cache_folder=cache_folder,
                                variant=_VARIANT[chosen], threads=threads)
        except Exception as error:
            if backend != "auto":
                raise
            log.warning("embedding with PyTorch: the ONNX path is unavailable (%s)", error)
    if threads:
        import torch

        torch.set_num_threads(threads)
    return SentenceTransformerEmbedder(model_path)

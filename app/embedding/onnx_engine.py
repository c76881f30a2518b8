"""The embedding model run by ONNX Runtime: the same vectors as sentence-transformers (cosine
≥ 0.99 to PyTorch's, see tests/engines/test_onnx_embedding.py), several times faster on a CPU.

The file comes from `onnx_build.onnx_model_file` (built from the packaged weights on first
use, cached in the instance folder). Tokenisation is the model's own fast tokenizer, truncated
at the model's `max_seq_length` as sentence-transformers does; texts are deduplicated, sorted
by token count and batched so that a batch pads little; pooling is the model's mean over
real tokens, then L2-normalised.

Cores are used by running batches side by side, one per thread, each batch on one core
(ONNX Runtime releases the GIL while it runs), rather than by splitting every operation of
one batch across the cores: on small batches the per-operation hand-offs between cores cost
more than they save, the more so when other processes share the cores (about 20 % less CPU
time for the same vectors, bench/bench_fanout.py --group-only and docs/deploy.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from app.embedding.engine import Progress, _model_name, _prepare, default_model_path
from app.embedding.onnx_build import onnx_model_file

# Padded tokens per batch (rows × length). Small batches keep each matrix product's operands
# in the cores' caches: on the 2-core test machine 512 ran about 1.7× faster than 8,192
# (bench/bench_embedding.py). Rows per batch are capped as well, for very short texts.
TOKENS_PER_BATCH = 512
MAX_ROWS = 128


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (or the model in `model_path`) on ONNX Runtime, "fp32" or "int8"."""

    def __init__(self, model_path: str | None = None, *, cache_folder: str | Path,
                 variant: str = "int8", threads: int | None = None) -> None:
        """Load (building on first use) the ONNX file of the model for `variant`.

        `threads` is how many batches are embedded at once, each on one core (None: one per
        core this process may use).
        Raises FileNotFoundError if the folder holds no model, ImportError without onnxruntime.
        """
        import onnxruntime
        from tokenizers import Tokenizer

        path = Path(model_path or default_model_path())
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"no embedding model files under {path}")
        base = _model_name(path)
        self.variant = variant
        # fp32 gives the reference vectors to within 1e-5, so it shares their cache entries;
        # int8 vectors differ a little more and are cached under their own name.
        self.name: str = base if variant == "fp32" else f"{base}+{variant}"
        self.file = onnx_model_file(path, cache_folder, variant, model_name=base)
        self.workers = max(1, threads or available_cores())
        options = onnxruntime.SessionOptions()
        # One thread per run: the session is shared by `workers` threads, each running its own
        # batch (a session's run is thread-safe). No pool of its own, so nothing spins either.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session: Any = onnxruntime.InferenceSession(
            str(self.file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer: Any = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_max_length(path))
        self._tokenizer.no_padding()
        self.dim: int = int(json.loads((path / "config.json").read_text())["hidden_size"])

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        """Embed `texts` as float32 (n, dim) unit rows; call `progress(done, total)` per batch.

        `batch_size` is ignored: batches are sized by tokens. Equal texts are embedded once."""
        prepared = _prepare(texts)
        distinct = list(dict.fromkeys(prepared))
        row_of = {text: i for i, text in enumerate(distinct)}
        encodings = self._tokenizer.encode_batch(distinct) if distinct else []
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")
        vectors = np.empty((len(distinct), self.dim), dtype=np.float32)
        done_distinct = 0
        # A few texts (a theme's sentences) still give every thread a share: batches of at
        # most 1/(2 × workers) of the padded tokens, so that no thread waits long for the last.
        budget = TOKENS_PER_BATCH
        if self.workers > 1:
            budget = min(budget, max(1, -(-int(lengths.sum()) // (2 * self.workers))))
        batches = _length_batches(order, lengths, budget)

        def embed(batch: np.ndarray) -> np.ndarray:
            return self._embed([encodings[i] for i in batch])

        workers = min(self.workers, len(batches))
        pool = ThreadPoolExecutor(workers) if workers > 1 else None
        try:
            for batch, found in zip(batches, (pool.map if pool else map)(embed, batches),
                                    strict=True):
                vectors[batch] = found
                done_distinct += len(batch)
                if progress is not None:  # in this thread, batch by batch in order
                    progress(round(len(prepared) * done_distinct / len(distinct)),
                             len(prepared))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        if not prepared:
            return np.zeros((0, self.dim), dtype=np.float32)
        return vectors[[row_of[t] for t in prepared]]

    def _embed(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _length_batches(order: np.ndarray, lengths: np.ndarray,
                    tokens: int | None = None) -> list[np.ndarray]:
    """Rows in `order` (longest first) cut into batches of at most `tokens` (default
    TOKENS_PER_BATCH) padded tokens and MAX_ROWS rows; a row longer than that is a batch."""
    budget = tokens or TOKENS_PER_BATCH
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        width = max(int(lengths[order[start]]), 1)
        rows = max(1, min(MAX_ROWS, budget // width))
        batches.append(order[start:start + rows])
        start += rows
    return batches


def _max_length(path: Path) -> int:
    """The model's `max_seq_length` (sentence-transformers' truncation), 256 if unsaid."""
    config = path / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length") or 256)
    return 256

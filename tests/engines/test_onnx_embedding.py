"""The ONNX embedding path: built from the packaged weights without network, cached by the
model's fingerprint, rebuilt for a changed model, vectors as PyTorch's, duplicates embedded
once; and the backend choice with its fallback to PyTorch. Real export, real weights."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from app.embedding import onnx_engine
from app.embedding.backends import AUTO, make_embedder
from app.embedding.engine import SentenceTransformerEmbedder, default_model_path
from app.embedding.onnx_build import model_fingerprint, onnx_file_name, onnx_model_file
from app.embedding.onnx_engine import OnnxEmbedder, _length_batches
from bench.consultation_data import load_old_set

pytestmark = [pytest.mark.model]

SHORT = ["+1", "No comment.", "Six months is too short for SMEs.", ""]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def onnx_fp32(cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(cache_folder=cache, variant="fp32", threads=2)


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = load_old_set()[1]
    return [r["text"] for r in rows[::4]] + SHORT


def test_the_onnx_file_is_built_in_the_cache_folder_named_by_the_model_fingerprint(
    onnx_fp32: OnnxEmbedder, cache: Path
) -> None:
    fingerprint = model_fingerprint(default_model_path())
    assert onnx_fp32.file == cache / onnx_file_name("all-MiniLM-L6-v2", fingerprint, "fp32")
    assert onnx_fp32.file.stat().st_size > 1_000_000
    assert not list(cache.glob(".build-*"))  # the work folder is gone


def test_a_second_embedder_reuses_the_built_file(onnx_fp32: OnnxEmbedder, cache: Path) -> None:
    before = onnx_fp32.file.stat().st_mtime_ns
    again = OnnxEmbedder(cache_folder=cache, variant="fp32", threads=1)
    assert again.file == onnx_fp32.file
    assert again.file.stat().st_mtime_ns == before


@pytest.mark.slow
def test_a_changed_model_gets_a_new_file(cache: Path, tmp_path: Path) -> None:
    original = Path(default_model_path())
    changed = tmp_path / "model"
    changed.mkdir()
    for item in original.iterdir():
        if item.name != "config.json":
            os.symlink(item, changed / item.name)
    config = json.loads((original / "config.json").read_text())
    config["plenary_test_note"] = "changed"
    (changed / "config.json").write_text(json.dumps(config))
    assert model_fingerprint(changed) != model_fingerprint(original)
    built = onnx_model_file(changed, cache, "fp32", model_name="all-MiniLM-L6-v2")
    assert built.is_file()
    assert built.name != onnx_file_name("all-MiniLM-L6-v2", model_fingerprint(original), "fp32")


def test_fp32_vectors_match_pytorch(
    onnx_fp32: OnnxEmbedder, reference: SentenceTransformerEmbedder, texts: list[str]
) -> None:
    ours = onnx_fp32.encode(texts)
    theirs = reference.encode(texts)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.999


@pytest.mark.slow
def test_int8_vectors_stay_close_to_pytorch(
    cache: Path, reference: SentenceTransformerEmbedder, texts: list[str]
) -> None:
    int8 = OnnxEmbedder(cache_folder=cache, variant="int8", threads=2)
    assert int8.name == "all-MiniLM-L6-v2+int8"
    cosine = (int8.encode(texts) * reference.encode(texts)).sum(axis=1)
    # How close depends on the CPU's integer kernels: 0.992 on a core with VNNI, 0.990 on one
    # with AVX2 only (both measured); a broken quantisation lands far below either.
    assert float(cosine.mean()) >= 0.98


def test_duplicate_texts_are_embedded_once(
    onnx_fp32: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = OnnxEmbedder._embed

    def counting(self: OnnxEmbedder, encodings: list) -> np.ndarray:
        seen.append(len(encodings))
        return real(self, encodings)

    monkeypatch.setattr(OnnxEmbedder, "_embed", counting)
    texts = ["The deadline is too short.", "Fine as it is.", "The deadline  is too short."]
    vectors = onnx_fp32.encode(texts)
    assert sum(seen) == 2  # the third is the first once whitespace is normalised
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert not np.allclose(vectors[0], vectors[1])


def test_batches_run_side_by_side_with_the_vectors_of_one_at_a_time(
    cache: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = OnnxEmbedder(cache_folder=cache, variant="fp32", threads=1).encode(texts)
    two = OnnxEmbedder(cache_folder=cache, variant="fp32", threads=2)
    assert len(_length_batches(np.arange(len(texts)), np.full(len(texts), 40))) > 2
    meeting = threading.Barrier(2, timeout=30)  # broken unless two batches run at once
    lock, calls = threading.Lock(), [0]
    real = OnnxEmbedder._embed

    def meet(self: OnnxEmbedder, encodings: list) -> np.ndarray:
        with lock:
            calls[0] += 1
            first_two = calls[0] <= 2
        if first_two:
            meeting.wait()
        return real(self, encodings)

    monkeypatch.setattr(OnnxEmbedder, "_embed", meet)
    np.testing.assert_array_equal(two.encode(texts), alone)


def test_a_few_texts_are_cut_so_that_every_thread_gets_batches(
    onnx_fp32: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    real = OnnxEmbedder._embed

    def counting(self: OnnxEmbedder, encodings: list) -> np.ndarray:
        sizes.append(len(encodings))
        return real(self, encodings)

    monkeypatch.setattr(OnnxEmbedder, "_embed", counting)
    texts = [f"Sentence number {n} of a theme's summary pool." for n in range(12)]
    onnx_fp32.encode(texts)  # far fewer padded tokens than one TOKENS_PER_BATCH
    assert onnx_fp32.workers == 2 and len(sizes) >= 4 and sum(sizes) == 12


def test_progress_reaches_the_number_of_texts(onnx_fp32: OnnxEmbedder) -> None:
    calls: list[tuple[int, int]] = []
    onnx_fp32.encode(["a", "b", "a", "c"], progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)


def test_no_texts_give_an_empty_matrix(onnx_fp32: OnnxEmbedder) -> None:
    assert onnx_fp32.encode([]).shape == (0, 384)


def test_batches_are_cut_by_padded_tokens_longest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_engine, "TOKENS_PER_BATCH", 100)
    lengths = np.array([10, 50, 5, 50, 20])
    order = np.argsort(-lengths, kind="stable")
    batches = _length_batches(order, lengths)
    assert [b.tolist() for b in batches] == [[1, 3], [4, 0, 2]]
    assert [b.tolist() for b in _length_batches(order, lengths, 40)] == [[1], [3], [4, 0], [2]]


def test_backend_choice(cache: Path) -> None:
    assert isinstance(make_embedder("torch", None, cache), SentenceTransformerEmbedder)
    onnx = make_embedder("onnx", None, cache)
    assert isinstance(onnx, OnnxEmbedder) and onnx.variant == "fp32"
    auto = make_embedder("auto", None, cache)
    assert type(auto) is (SentenceTransformerEmbedder if AUTO == "torch" else OnnxEmbedder)
    with pytest.raises(ValueError, match="unknown embedding backend"):
        make_embedder("tensorflow", None, cache)


def test_auto_falls_back_to_pytorch_when_onnx_cannot_be_built(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    assert isinstance(make_embedder("auto", None, blocked), SentenceTransformerEmbedder)
    with pytest.raises(OSError):
        make_embedder("onnx", None, blocked)

"""Embedding: the deterministic fake, the text hash, and (marked `model`) the real model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.embedding.engine import (
    HashingEmbedder,
    SentenceTransformerEmbedder,
    default_model_path,
    text_hash,
)


def test_text_hash_ignores_whitespace_differences():
    assert text_hash("Keep  the\ndocumentation current ") == text_hash(
        "Keep the documentation current"
    )


def test_text_hash_differs_for_different_texts():
    assert text_hash("annual review") != text_hash("annual reviews")


def test_hashing_embedder_returns_float32_unit_rows():
    vectors = HashingEmbedder(dim=64).encode(["one text", "another text here", ""])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_hashing_embedder_is_deterministic_across_instances():
    texts = ["incident reporting deadlines are too short"]
    assert np.array_equal(HashingEmbedder().encode(texts), HashingEmbedder().encode(texts))


def test_hashing_embedder_puts_similar_texts_closer_than_unrelated_ones():
    a, b, c = HashingEmbedder().encode(
        [
            "the reporting deadline for serious incidents is too short",
            "serious incidents need a longer reporting deadline",
            "publish the names of all web crawlers",
        ]
    )
    assert a @ b > a @ c


def test_encode_reports_progress_after_each_batch():
    calls: list[tuple[int, int]] = []
    HashingEmbedder().encode(
        [f"text {i}" for i in range(5)], batch_size=2, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_encode_of_no_texts_is_an_empty_matrix():
    assert HashingEmbedder(dim=8).encode([]).shape == (0, 8)


def test_encode_rejects_a_zero_batch_size():
    with pytest.raises(ValueError):
        HashingEmbedder().encode(["x"], batch_size=0)


@given(st.text(max_size=300))
def test_hashing_embedder_gives_a_unit_vector_for_any_text(text):
    vector = HashingEmbedder(dim=32).encode([text])[0]
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_default_model_path_holds_the_packaged_model():
    assert default_model_path().endswith("model")


@pytest.mark.model
def test_real_model_loads_offline_and_ranks_similar_sentences_closer():
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.encode(
        [
            "Providers should report serious incidents within two days.",
            "The deadline for notifying a serious incident is too short.",
            "Publish the list of web crawlers used to collect training data.",
            "word " * 5000,
        ],
        batch_size=2,
    )
    assert embedder.name == "all-MiniLM-L6-v2"
    assert vectors.shape == (4, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1

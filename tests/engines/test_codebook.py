"""Codebook assignment: best entry by cosine, -1 below the threshold."""

from __future__ import annotations

import numpy as np
import pytest

from app.synthesis.codebook import CodebookEntry, assign_to_codebook

ENTRIES = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)


def test_rows_go_to_the_most_similar_entry():
    rows = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.1]], dtype=np.float32)
    assert assign_to_codebook(rows, ENTRIES) == (0, 1)


def test_a_row_similar_to_no_entry_is_left_out():
    rows = np.array([[0.0, 0.0, 1.0], [0.3, 0.0, 1.0]], dtype=np.float32)
    assert assign_to_codebook(rows, ENTRIES, threshold=0.35) == (-1, -1)


def test_the_threshold_is_inclusive():
    rows = np.array([[0.5, 0.0, np.sqrt(0.75)]], dtype=np.float32)
    assert assign_to_codebook(rows, ENTRIES, threshold=0.5) == (0,)
    assert assign_to_codebook(rows, ENTRIES, threshold=0.51) == (-1,)


def test_an_empty_codebook_leaves_every_row_out():
    rows = np.ones((3, 3), dtype=np.float32)
    assert assign_to_codebook(rows, np.zeros((0, 3), np.float32)) == (-1, -1, -1)


def test_mismatched_dimensions_are_refused():
    with pytest.raises(ValueError):
        assign_to_codebook(np.ones((2, 4)), ENTRIES)


def test_entry_text_joins_title_and_description():
    assert CodebookEntry("Deadlines", "time limits for reports").text() == (
        "Deadlines: time limits for reports"
    )
    assert CodebookEntry("Deadlines", "").text() == "Deadlines"

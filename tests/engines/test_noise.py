"""Noise: content-free texts and isolated comments are set aside, short points are kept.

Vectors here are synthetic (random unit directions) or from the HashingEmbedder fake: these
tests check the rules, not the real model's geometry.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.synthesis.noise import about_the_process, is_content_free, isolated, noise_mask


def blob(n: int, dim: int = 32, spread: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centre = rng.standard_normal(dim)
    points = centre / np.linalg.norm(centre) + rng.standard_normal((n, dim)) * spread
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize(
    "text",
    [
        "+1",
        "See attached.",
        "Please see the attached joint statement.",
        "Agree with the above.",
        "No comment at this stage.",
        "Nothing further to add.",
        "Thank you for the opportunity to contribute.",
        "🙏",
        # deferring to what others sent: who they are is no point about the measure
        "We endorse the joint submission of our national federation.",
        "Same as the comments posted earlier by our partner organisations.",
        "Our association supports the position of its colleagues above.",
    ],
)
def test_content_free_remarks_are_recognised(text):
    assert is_content_free(text)


@pytest.mark.parametrize(
    "text",
    [
        "Six months is too short for SMEs.",
        "Why 10^25 and not 10^26?",
        "Two days?! Impossible.",
        "Just reference ISO 27001.",
        "Civil society organisations must be heard on the thresholds.",
        "Federations of small publishers cannot audit every crawler.",
        "Wir unterstützen diese Maßnahme",
        "我们支持这项措施",
    ],
)
def test_short_comments_with_a_point_are_not_content_free(text):
    assert not is_content_free(text)


def test_a_comment_far_from_every_other_is_isolated():
    rows = blob(40)
    stray = np.random.default_rng(9).standard_normal((1, 32)).astype(np.float32)
    vectors = np.vstack([rows, stray / np.linalg.norm(stray)])
    found = isolated(vectors, np.arange(41))
    assert found[40] and not found[:40].any()


def test_copies_of_a_stray_comment_do_not_vouch_for_each_other():
    rows = blob(40)
    stray = np.random.default_rng(9).standard_normal((1, 32)).astype(np.float32)
    stray /= np.linalg.norm(stray)
    vectors = np.vstack([rows, stray, stray, stray])
    assert isolated(vectors, np.arange(43))[40:].all()


def test_too_few_comments_are_never_isolated():
    assert not isolated(blob(6), np.arange(6)).any()


def test_noise_mask_joins_content_free_and_isolated_rows():
    rows = blob(30)
    stray = np.random.default_rng(4).standard_normal((1, 32)).astype(np.float32)
    vectors = np.vstack([rows, stray / np.linalg.norm(stray), rows[:1]])
    texts = ["a comment on the deadline for reports"] * 31 + ["+1"]
    mask = noise_mask(vectors, texts)
    assert np.flatnonzero(mask).tolist() == [30, 31]


def test_remarks_near_a_process_sentence_are_set_aside_though_they_vouch_for_each_other():
    # Four remarks about the consultation sit near each other (so none is isolated) and near
    # a process sentence, far from the measure's comments; the measure's comments stay.
    measure = blob(40, seed=1)
    remarks = blob(4, spread=0.05, seed=2)
    process = remarks.mean(axis=0, keepdims=True)
    vectors = np.vstack([measure, remarks])
    texts = ["a point on the reporting deadline of this measure"] * 44
    assert not noise_mask(vectors, texts)[40:].any()
    mask = noise_mask(vectors, texts, process=process)
    assert np.flatnonzero(mask).tolist() == [40, 41, 42, 43]
    # A comment of the measure is never one, however near a process sentence its words are.
    assert not about_the_process(vectors, np.arange(44), measure[:1]).any()


def test_large_scopes_find_the_same_noise_in_blocks():
    # scale.isolated_rows, which reads a large scope's vectors in blocks, flags what the small
    # scopes' tests flag: the stray comment and the remarks about the consultation.
    from app.synthesis.scale import isolated_rows

    measure = blob(40, seed=1)
    remarks = blob(4, spread=0.05, seed=2)
    stray = np.random.default_rng(9).standard_normal((1, 32)).astype(np.float32)
    vectors = np.vstack([measure, remarks, stray / np.linalg.norm(stray)])
    process = remarks.mean(axis=0, keepdims=True)
    rows = np.arange(45)
    assert np.flatnonzero(isolated_rows(vectors, rows)).tolist() == [44]
    found = isolated_rows(vectors, rows, process=process)
    assert np.flatnonzero(found).tolist() == [40, 41, 42, 43, 44]
    texts = ["a point on the reporting deadline of this measure"] * 45
    assert (found == noise_mask(vectors, texts, process=process)).all()

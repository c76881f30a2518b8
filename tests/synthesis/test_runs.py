"""Runs: embedding with the cache, themes, campaigns, unassigned, determinism, bad scopes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from app.core.db import db
from app.core.errors import BadInput, NotFound
from app.embedding.engine import HashingEmbedder
from app.embedding.models import EmbeddingCache
from app.embedding.services import embed_texts
from app.feedback.models import Comment
from app.synthesis.export import synthesis_document
from app.synthesis.pipeline import _continued
from app.synthesis.services import run_synthesis


def _themes(run: Any) -> list[tuple[str, list[int]]]:
    return [(t.label, sorted(m.comment_id for m in t.members)) for t in run.themes]


def test_a_run_finds_the_themes_of_a_provision(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    assert run.status == "done"
    assert run.comment_count == 22
    groups = [set(m.comment.external_id.split("-")[0] for m in t.members
                  if m.comment.external_id) for t in run.themes]
    assert {"upd"} in groups and {"sme"} in groups


def test_two_runs_of_the_same_scope_give_identical_themes(feedback: Any) -> None:
    first = run_synthesis(feedback["round"], provision="documentation")
    second = run_synthesis(feedback["round"], provision="documentation")
    assert _themes(first) == _themes(second)
    assert [t.identity_id for t in first.themes] == [t.identity_id for t in second.themes]


def test_a_theme_continues_only_the_earlier_theme_holding_most_of_its_comments(
    feedback: Any,
) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    first, second = run.themes[0], run.themes[1]
    held = [np.array(sorted(m.comment_id for m in t.members)) for t in (first, second)]
    # Found again in another order, each theme keeps the identity (so the answer) of its own.
    assert _continued(held[::-1], [first.identity, second.identity]) == {0: 1, 1: 0}
    # A theme half of whose comments or fewer come from the earlier one is a new theme, even
    # if its centre is alike: the earlier theme's answer does not follow it.
    others = np.array(sorted(m.comment_id for m in run.members
                             if m.comment_id not in set(held[0]) | set(held[1])))
    size = len(held[1])
    assert len(others) >= size
    half = np.concatenate([held[1], others[:size]])
    assert _continued([half], [second.identity]) == {}
    most = np.concatenate([held[1], others[: size - 1]])
    assert _continued([most], [second.identity]) == {0: 0}


def test_the_export_names_every_comment_in_scope_exactly_once(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    document = synthesis_document(run)
    named = [c for t in document["themes"] for c in t["comments"]] + document["unassigned"]
    assert len(named) == len(set(named)) == document["comment_count"] == 22
    assert "upd-1" in named
    assert document["scope"] == {"provision": "documentation", "group": None}
    assert document["model"] == "hashing-fake"
    assert set(document) == {"code", "round", "scope", "model", "created_at", "comment_count",
                             "themes", "duplicate_groups", "unassigned"}


def test_content_free_comments_are_left_unassigned(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    unassigned = {m.comment.body for m in run.members if m.theme_id is None}
    assert unassigned == {"+1", "See attachment."}


def test_a_campaign_is_grouped_and_counted_as_one_voice(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    assert [c.size for c in run.campaigns] == [4]
    campaign = run.campaigns[0]
    assert "Our members agree strongly" in " ".join(m.addition for m in campaign.members)
    theme = next(t for t in run.themes if any(m.comment_id == campaign.canonical_id
                                               for m in t.members))
    assert theme.campaign_count == 1
    assert "1 campaign, 19 independent voices" in run.message
    document = synthesis_document(run)
    assert len(document["duplicate_groups"][0]["members"]) == 4


def test_themes_carry_breakdowns_and_over_represented_categories(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    smes = next(t for t in run.themes if t.by_category.get("sme"))
    assert smes.by_category == {"sme": 5}
    assert smes.by_stance == {"oppose": 5}
    assert smes.over_represented == ["sme"]
    assert len(smes.representatives) == 3
    assert "sme" in " ".join(smes.keywords) or "forms" in smes.keywords


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode(self, texts: Any, **kwargs: Any) -> np.ndarray:
        self.encoded += list(texts)
        return super().encode(texts, **kwargs)


def test_a_re_run_embeds_only_the_new_texts(feedback: Any, add_comments: Any) -> None:
    # Passing texts (title candidates, the noise test's sentences) are embedded once per
    # process and never stored: what was encoded before this test is not seen here.
    embedder = CountingEmbedder()
    run_synthesis(feedback["round"], provision="documentation", embedder=embedder)
    bodies = {c.body for c in db.session.scalars(select(Comment))}
    first = [t for t in embedder.encoded if t in bodies]
    add_comments(feedback["doc"], ["A brand new point about model cards and their format."])
    seen = len(embedder.encoded)
    run_synthesis(feedback["round"], provision="documentation", embedder=embedder)
    assert len(first) == 20  # 22 comments; three identical campaign letters are embedded once
    bodies = {c.body for c in db.session.scalars(select(Comment))}
    assert [t for t in embedder.encoded[seen:] if t in bodies] == [
        "A brand new point about model cards and their format."]
    cached = db.session.scalar(select(func.count()).select_from(EmbeddingCache))
    assert cached == 21


def test_embed_texts_reports_progress_up_to_the_total(feedback: Any) -> None:
    seen: list[tuple[int, int]] = []
    texts = [f"comment number {i} about documentation" for i in range(150)]
    embed_texts(texts, HashingEmbedder(), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (150, 150)
    assert len(seen) > 2


def test_a_group_scope_covers_only_that_groups_provisions(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], group=feedback["wg2"])
    assert run.comment_count == 2
    assert {m.comment.provision.key for m in run.members} == {"safety"}


def test_hidden_withdrawn_and_reply_comments_are_left_out(
    feedback: Any, add_comments: Any
) -> None:
    import datetime as dt

    [hidden] = add_comments(feedback["other"], ["Hidden by moderation for abuse."])
    hidden.hidden_at = dt.datetime.now(dt.UTC)
    [withdrawn] = add_comments(feedback["other"], ["Withdrawn by its author later on."])
    withdrawn.status = "withdrawn"
    parent = run_synthesis(feedback["round"], provision="safety").members[0].comment
    add_comments(feedback["other"], ["A reply agreeing with the auditors."], parent=parent)
    run = run_synthesis(feedback["round"], provision="safety")
    assert run.comment_count == 2


def test_a_scope_without_comments_gives_a_clear_empty_result(create_round: Any,
                                                             create_provision: Any) -> None:
    round_ = create_round(1)
    create_provision(round_, "quiet")
    run = run_synthesis(round_, provision="quiet")
    assert run.status == "done" and run.themes == [] and run.comment_count == 0
    assert run.message == "There are no comments in this scope yet."
    assert synthesis_document(run)["unassigned"] == []


def test_a_single_comment_forms_one_theme(create_round: Any, create_provision: Any,
                                          add_comments: Any) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "lonely")
    add_comments(provision, ["The reporting deadline should move to the end of March."])
    run = run_synthesis(round_, provision="lonely")
    assert [t.size for t in run.themes] == [1]
    assert "Only one comment" in run.message


def test_identical_comments_form_one_theme_and_one_campaign(
    create_round: Any, create_provision: Any, add_comments: Any
) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "same")
    add_comments(provision, ["Delete this measure entirely, it duplicates existing law."] * 6)
    run = run_synthesis(round_, provision="same")
    assert [t.size for t in run.themes] == [6]
    assert [c.size for c in run.campaigns] == [6]


def test_comments_in_other_languages_and_huge_comments_are_synthesised(
    create_round: Any, create_provision: Any, add_comments: Any
) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "mixed")
    texts = ["La documentation doit être mise à jour tous les six mois.",
             "Die Dokumentation sollte alle sechs Monate aktualisiert werden.",
             "文書は六か月ごとに更新されるべきです。",
             "word " * 4000,
             ("Documentation must be kept current. " * 600)[:20_000]]
    comments = add_comments(provision, texts)
    run = run_synthesis(round_, provision="mixed")
    assert run.status == "done"
    named = [c for t in synthesis_document(run)["themes"] for c in t["comments"]]
    named += synthesis_document(run)["unassigned"]
    assert sorted(named) == sorted(c.id for c in comments)  # numeric ids stay numbers


def test_an_unknown_provision_or_two_scopes_are_refused(feedback: Any) -> None:
    with pytest.raises(NotFound):
        run_synthesis(feedback["round"], provision="nope")
    with pytest.raises(BadInput):
        run_synthesis(feedback["round"], provision="documentation", group="wg1")

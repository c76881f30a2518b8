"""Findings of the code review, each pinned by a test."""

from __future__ import annotations

from typing import Any

from app.synthesis.export import synthesis_document
from app.synthesis.services import Scope, run_synthesis, scope_group_id


def test_a_provision_scope_with_a_child_of_another_group_belongs_to_no_group(
    create_round: Any, create_provision: Any
) -> None:
    """A wg1 chair must not reach wg2's comments through a wg1 chapter that contains them."""
    round_ = create_round(1)
    chapter = create_provision(round_, "ch", kind="chapter", group="wg1")
    create_provision(round_, "m-1", parent=chapter, group="wg1")
    create_provision(round_, "m-2", parent=chapter, group="wg2")
    assert scope_group_id(Scope(round_, provision_key="ch")) is None
    assert scope_group_id(Scope(round_, provision_key="m-1")) is not None


def test_export_names_comments_without_external_id_by_their_numeric_id(
    create_round: Any, create_provision: Any, add_comments: Any
) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "numbers")
    comments = add_comments(provision, ["Keep the documentation current every six months.",
                                        "Documentation should be updated every six months."])
    document = synthesis_document(run_synthesis(round_, provision="numbers"))
    named = [c for t in document["themes"] for c in t["comments"]] + document["unassigned"]
    assert sorted(named) == sorted(c.id for c in comments)
    assert all(isinstance(name, int) for name in named)

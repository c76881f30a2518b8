"""Fixtures of the drafting tests: stored lineage links and demo draft files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.db import db

DRAFTS = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"


@pytest.fixture
def create_link(database: Any):  # type: ignore[no-untyped-def]
    """A stored lineage link from one provision to others of the next round."""
    from app.drafting.models import LineageLink, LineageTarget

    def make(
        source: Any, targets: list[Any], kind: str, similarity: float = 0.5, *, to_round: Any = None
    ) -> Any:
        to_round = to_round or targets[0].round
        link = LineageLink(
            from_round_id=source.round_id,
            to_round_id=to_round.id,
            from_provision_id=source.id,
            kind=kind,
            similarity=similarity,
            targets=[LineageTarget(to_provision_id=t.id) for t in targets],
        )
        db.session.add(link)
        db.session.commit()
        return link

    return make


@pytest.fixture
def demo_groups(create_group: Any) -> None:
    """The working groups the demo drafts name."""
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        create_group(slug)


ROUND = """---
code: {code}
title: Test Code
round: {number}
name: Draft {number}
visibility: {visibility}
levels: [chapter, measure]
---

# Transparency {{#transparency wg=wg1}}

Chapter preamble.

## Measure 1.1: Documentation

Signatories shall keep the model documentation up to date and complete at all times.

## Measure 1.2: Training data summary

Signatories shall publish a summary of the content used to train the model.
{extra}"""


@pytest.fixture
def draft_text():  # type: ignore[no-untyped-def]
    """A small valid round file; `extra` is appended Markdown."""

    def make(
        number: int = 1, *, code: str = "test-code", visibility: str = "public", extra: str = ""
    ) -> str:
        return ROUND.format(number=number, code=code, visibility=visibility, extra=extra)

    return make


VIEWERS = ("public", "participant", "chair", "secretariat")
# Which round visibilities each kind of viewer may see.
MAY_SEE = {
    "public": {"public"},
    "participant": {"plenary", "public"},
    "chair": {"internal", "plenary", "public"},
    "secretariat": {"internal", "plenary", "public"},
}


@pytest.fixture
def visibility_code(create_round: Any, create_provision: Any) -> dict[str, Any]:
    """Code 'vis-code' with round 1 internal, 2 plenary, 3 public, each with one measure."""
    rounds = {}
    for number, visibility in enumerate(("internal", "plenary", "public"), start=1):
        round_ = create_round(
            number,
            code="vis-code",
            visibility=visibility,
            name=f"Secretname{visibility.capitalize()} draft",
        )
        create_provision(
            round_,
            "m-1-1",
            label="Measure 1.1",
            title="Documentation duty",
            body="Signatories shall keep the documentation current.",
        )
        rounds[visibility] = round_
    return rounds


@pytest.fixture
def viewer(create_user: Any, auth: Any):  # type: ignore[no-untyped-def]
    """Sign in as one kind of viewer; returns the account (None for the public)."""

    def make(kind: str) -> Any:
        if kind == "public":
            return None
        email = f"{kind}@example.org"
        role = "secretariat" if kind == "secretariat" else "participant"
        groups = [("wg1", "chair")] if kind == "chair" else None
        user = create_user(email, role=role, groups=groups)
        auth.login(email)
        return user

    return make

"""A small code in four rounds whose lineage has every kind of change (shared fixtures).

Round 1 -> 2: m-keep unchanged, m-edit modified, m-split split into two, m-merge-a and
m-merge-b merged, m-move moved to chapter B (renumbered), m-gone removed, m-new added.
Round 2 -> 3: m-edit modified again, m-keep renumbered (same text), the rest unchanged.
Round 4 is internal: only the secretariat and chairs may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core.db import db
from app.drafting.models import LineageLink, LineageTarget, Provision, Round

SECRET_NAME = "Confidential Draft Zeta"
DEMO = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"
DEMO_GROUPS = ("wg1", "wg2", "wg3", "wg4")


def import_demo() -> None:
    """Import the four rounds of the demo Code (creating its working groups if needed)."""
    from app.accounts import services as accounts
    from app.accounts.models import WorkingGroup
    from app.drafting.importer import import_path

    for slug in DEMO_GROUPS:
        if db.session.query(WorkingGroup).filter_by(slug=slug).one_or_none() is None:
            accounts.create_group(slug, f"Working group {slug[2:]}")
    import_path(DEMO)


@dataclass
class Story:
    rounds: dict[int, Round]
    p: dict[tuple[int, str], Provision]


def link(source: Provision, targets: list[Provision], kind: str, similarity: float) -> None:
    row = LineageLink(
        from_round_id=source.round_id,
        to_round_id=(targets[0].round_id if targets else source.round_id + 1),
        from_provision=source,
        kind=kind,
        similarity=similarity,
    )
    row.targets = [LineageTarget(to_provision=t) for t in targets]
    db.session.add(row)


@pytest.fixture
def story(create_round: Any, create_provision: Any) -> Story:
    rounds = {
        1: create_round(1, code="demo", window="closed", name="First draft"),
        2: create_round(2, code="demo", window="closed", name="Second draft"),
        3: create_round(3, code="demo", window="open", name="Third draft"),
        4: create_round(4, code="demo", visibility="internal", window=None, name=SECRET_NAME),
    }
    p: dict[tuple[int, str], Provision] = {}

    def add(
        n: int,
        key: str,
        label: str | None,
        body: str,
        *,
        parent: str | None = None,
        kind: str = "measure",
        group: str = "wg1",
        title: str | None = None,
    ) -> None:
        p[n, key] = create_provision(
            rounds[n],
            key,
            label=label,
            title=title or f"Title of {key}",
            body=body,
            kind=kind,
            parent=p[n, parent] if parent else None,
            group=group,
        )

    keep = "Signatories shall publish a summary of their training data."
    for n in (1, 2, 3, 4):
        add(n, "ch-a", None, "Chapter A introduction.", kind="chapter", title="Chapter A")
        if n > 1:
            add(
                n,
                "ch-b",
                None,
                "Chapter B introduction.",
                kind="chapter",
                title="Chapter B",
                group="wg2",
            )
    add(1, "m-keep", "Measure 1.1", keep, parent="ch-a")
    add(1, "m-edit", "Measure 1.2", "Signatories shall keep documentation.", parent="ch-a")
    add(
        1,
        "m-split",
        "Measure 1.3",
        "Providers shall assess risks. Providers shall report incidents.",
        parent="ch-a",
    )
    add(1, "m-merge-a", "Measure 1.4", "Providers shall log access.", parent="ch-a")
    add(1, "m-merge-b", "Measure 1.5", "Providers shall log changes.", parent="ch-a")
    add(1, "m-move", "Measure 1.6", "Providers shall name a contact point.", parent="ch-a")
    add(1, "m-gone", "Measure 1.7", "Providers shall send a fax.", parent="ch-a")

    add(2, "m-keep", "Measure 1.1", keep, parent="ch-a")
    add(2, "m-edit", "Measure 1.2", "Signatories shall maintain documentation.", parent="ch-a")
    add(2, "m-split", "Measure 1.3", "Providers shall assess risks.", parent="ch-a")
    add(2, "m-split-2", "Measure 1.4", "Providers shall report incidents.", parent="ch-a")
    add(2, "m-merge-a", "Measure 1.5", "Providers shall log access and changes.", parent="ch-a")
    add(
        2,
        "m-move",
        "Measure 2.1",
        "Providers shall name a contact point.",
        parent="ch-b",
        group="wg2",
    )
    add(
        2,
        "m-new",
        "Measure 2.2",
        "Providers shall answer questions promptly.",
        parent="ch-b",
        group="wg2",
    )

    for n in (3, 4):
        add(n, "m-keep", "Measure 1.0", keep, parent="ch-a")
        add(
            n,
            "m-edit",
            "Measure 1.2",
            "Signatories shall maintain complete documentation.",
            parent="ch-a",
        )
        add(n, "m-split", "Measure 1.3", "Providers shall assess risks.", parent="ch-a")
        add(n, "m-split-2", "Measure 1.4", "Providers shall report incidents.", parent="ch-a")
        add(n, "m-merge-a", "Measure 1.5", "Providers shall log access and changes.", parent="ch-a")
        add(
            n,
            "m-move",
            "Measure 2.1",
            "Providers shall name a contact point.",
            parent="ch-b",
            group="wg2",
        )
        add(
            n,
            "m-new",
            "Measure 2.2",
            "Providers shall answer questions promptly.",
            parent="ch-b",
            group="wg2",
        )

    link(p[1, "ch-a"], [p[2, "ch-a"]], "unchanged", 1.0)
    link(p[1, "m-keep"], [p[2, "m-keep"]], "unchanged", 1.0)
    link(p[1, "m-edit"], [p[2, "m-edit"]], "modified", 0.8)
    link(p[1, "m-split"], [p[2, "m-split"], p[2, "m-split-2"]], "split", 0.7)
    link(p[1, "m-merge-a"], [p[2, "m-merge-a"]], "merged", 0.6)
    link(p[1, "m-merge-b"], [p[2, "m-merge-a"]], "merged", 0.6)
    link(p[1, "m-move"], [p[2, "m-move"]], "moved", 1.0)
    link(p[1, "m-gone"], [], "removed", 0.0)
    for n in (2, 3):
        for key in (
            "ch-a",
            "ch-b",
            "m-keep",
            "m-edit",
            "m-split",
            "m-split-2",
            "m-merge-a",
            "m-move",
            "m-new",
        ):
            kind = "modified" if key == "m-edit" else "unchanged"
            link(p[n, key], [p[n + 1, key]], kind, 0.9 if kind == "modified" else 1.0)
    db.session.commit()
    return Story(rounds, p)


@pytest.fixture
def secretariat(create_user: Any) -> Any:
    return create_user("sec@example.org", role="secretariat")


@pytest.fixture
def demo(database: Any) -> dict[int, Round]:
    """The demo Code imported into the test's transaction; its rounds by number."""
    import_demo()
    db.session.commit()
    return {
        r.number: r for r in db.session.query(Round).join(Round.code).filter_by(slug="gpai-code")
    }

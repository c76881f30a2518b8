"""Provision history pages say nothing about how a provision changes in a hidden round."""

from __future__ import annotations

from typing import Any

import pytest

HIDDEN = "Secretname internal draft"
TEXT = "Signatories shall keep the documentation current."


@pytest.fixture
def hidden_next(create_round: Any, create_provision: Any, create_link: Any) -> dict[str, Any]:
    """Round 1 public, round 2 internal: m-1 is split (63% similar), m-2 is removed."""
    first = create_round(1, visibility="public")
    second = create_round(2, visibility="internal", name=HIDDEN)
    m1 = create_provision(first, "m-1", label="Measure 1", body=TEXT)
    m2 = create_provision(first, "m-2", label="Measure 2", body="Signatories shall report.")
    parts = [
        create_provision(second, "m-1", label="Measure 1", body="Keep documentation."),
        create_provision(second, "m-1b", label="Measure 1b", body="Keep it current."),
    ]
    create_link(m1, parts, "split", 0.63)
    create_link(m2, [], "removed", 0.0, to_round=second)
    return {"first": first, "second": second}


@pytest.fixture
def hidden_middle(create_round: Any, create_provision: Any, create_link: Any) -> None:
    """Rounds 1 public, 2 internal, 3 public: m-1 is split in 2, then its part is restored."""
    rounds = [
        create_round(1, visibility="public", name="Opening draft"),
        create_round(2, visibility="internal", name=HIDDEN),
        create_round(3, visibility="public", name="Closing draft"),
    ]
    first = create_provision(rounds[0], "m-1", label="Measure 1", body=TEXT)
    kept = create_provision(rounds[1], "m-1", label="Measure 1", body=TEXT)
    extra = create_provision(rounds[1], "m-1b", label="Measure 1b", body="A new duty.")
    last = create_provision(rounds[2], "m-1", label="Measure 1", body=TEXT)
    create_link(first, [kept, extra], "split", 0.7)
    create_link(kept, [last], "unchanged", 1.0)
    create_link(extra, [], "removed", 0.0, to_round=rounds[2])


def _page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_public_provision_page_hides_a_removal_in_a_hidden_next_round(
    client: Any, hidden_next: Any
) -> None:
    page = _page(client, "/codes/demo-code/rounds/1/provisions/m-2")
    assert "removed in the next round" not in page
    assert HIDDEN not in page


def test_public_pages_hide_a_split_into_a_hidden_next_round(client: Any, hidden_next: Any) -> None:
    for path in (
        "/codes/demo-code/rounds/1/provisions/m-1",
        "/codes/demo-code/provisions/m-1/history",
    ):
        page = _page(client, path)
        assert "kind-split" not in page and "63% similar" not in page, path
        assert HIDDEN not in page, path


def test_secretariat_still_sees_the_change_into_the_internal_round(
    client: Any, hidden_next: Any, viewer: Any
) -> None:
    viewer("secretariat")
    split_page = _page(client, "/codes/demo-code/rounds/1/provisions/m-1")
    assert "kind-split" in split_page and "63% similar" in split_page
    assert HIDDEN in split_page
    assert "then split" in _page(client, "/codes/demo-code/provisions/m-1/history")
    removed_page = _page(client, "/codes/demo-code/rounds/1/provisions/m-2")
    assert "removed in the next round" in removed_page


def test_last_visible_round_shows_no_change_into_a_hidden_later_round(
    client: Any, create_round: Any, create_provision: Any, create_link: Any
) -> None:
    rounds = [
        create_round(1, visibility="public"),
        create_round(2, visibility="public"),
        create_round(3, visibility="internal", name=HIDDEN),
    ]
    versions = [
        create_provision(r, "m-1", label="Measure 1", body=f"Duty {n} of the signatories.")
        for n, r in enumerate(rounds)
    ]
    create_link(versions[0], [versions[1]], "modified", 0.8)
    create_link(versions[1], [versions[2]], "modified", 0.63)
    page = _page(client, "/codes/demo-code/rounds/2/provisions/m-1")
    assert "80% similar" in page
    assert "63% similar" not in page and HIDDEN not in page


def test_history_across_a_hidden_middle_round_shows_the_change_between_visible_rounds(
    client: Any, hidden_middle: None
) -> None:
    page = _page(client, "/codes/demo-code/provisions/m-1/history")
    assert "Round 1 (Opening draft)" in page and "Round 3 (Closing draft)" in page
    assert "then split" not in page and "then unchanged" in page
    assert HIDDEN not in page and "Round 2" not in page
    provision_page = _page(client, "/codes/demo-code/rounds/1/provisions/m-1")
    assert "kind-split" not in provision_page and "kind-unchanged" in provision_page
    assert HIDDEN not in provision_page


def test_secretariat_sees_every_round_and_the_stored_kinds_across_the_middle(
    client: Any, hidden_middle: None, viewer: Any
) -> None:
    viewer("secretariat")
    page = _page(client, "/codes/demo-code/provisions/m-1/history")
    assert HIDDEN in page and "then split" in page and "then unchanged" in page

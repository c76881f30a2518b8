"""The secretariat's draft pages: upload, round settings, lineage review (404 for others)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db
from app.drafting import importer
from app.drafting.models import LineageLink, Round


@pytest.fixture
def secretariat(create_user: Any, auth: Any) -> Any:
    user = create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    return user


@pytest.mark.parametrize("kind", ["public", "participant", "chair"])
def test_draft_admin_pages_are_404_for_everyone_but_the_secretariat(
    client: Any, viewer: Any, create_round: Any, kind: str
) -> None:
    create_round(1)
    viewer(kind)
    for path in (
        "/admin/drafts",
        "/admin/drafts/demo-code/rounds/1",
        "/admin/drafts/demo-code/rounds/1/lineage",
    ):
        assert client.get(path).status_code == 404


def test_uploading_a_round_imports_it(
    client: Any, auth: Any, secretariat: Any, demo_groups: None, draft_text: Any
) -> None:
    data = {
        "csrf_token": auth.csrf_token("/admin/drafts"),
        "file": (io.BytesIO(draft_text().encode()), "1.md"),
    }
    response = client.post(
        "/admin/drafts", data=data, content_type="multipart/form-data", follow_redirects=True
    )
    assert "created round 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(Round).where(Round.number == 1)) is not None


def test_uploading_a_bad_file_shows_file_and_line(
    client: Any, auth: Any, secretariat: Any, demo_groups: None
) -> None:
    data = {
        "csrf_token": auth.csrf_token("/admin/drafts"),
        "file": (io.BytesIO(b"# Title only\n"), "bad.md"),
    }
    page = client.post("/admin/drafts", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "bad.md:1: no front matter" in page


def test_round_settings_change_visibility_and_are_audited(
    client: Any, auth: Any, secretariat: Any, create_round: Any
) -> None:
    round_ = create_round(1, visibility="internal")
    path = "/admin/drafts/demo-code/rounds/1"
    client.post(
        path,
        data={
            "csrf_token": auth.csrf_token(path),
            "vis-visibility": "public",
            "vis-submit": "Save visibility",
        },
    )
    db.session.refresh(round_)
    assert round_.visibility == "public"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.visibility"))


def test_a_window_closing_before_it_opens_is_refused_on_the_page(
    client: Any, auth: Any, secretariat: Any, create_round: Any
) -> None:
    create_round(1)
    path = "/admin/drafts/demo-code/rounds/1"
    page = client.post(
        path,
        data={
            "csrf_token": auth.csrf_token(path),
            "win-opens": "2030-02-01T10:00",
            "win-closes": "2030-01-01T10:00",
            "win-submit": "Save consultation window",
        },
    ).get_data(as_text=True)
    assert "must close after it opens" in page


def test_lineage_review_page_corrects_a_link(
    client: Any, auth: Any, secretariat: Any, demo_groups: None, draft_text: Any
) -> None:
    importer.import_round(draft_text(1), "1.md")
    importer.import_round(draft_text(2), "2.md")
    db.session.commit()
    path = "/admin/drafts/test-code/rounds/2/lineage"
    page = client.get(path + "?show=all").get_data(as_text=True)
    assert "unchanged" in page and "Measure 1.1: Documentation" in page
    client.post(
        path, data={"csrf_token": auth.csrf_token(path), "source": "m-1-1", "targets": ["m-1-2"]}
    )
    link = db.session.scalar(select(LineageLink).where(LineageLink.corrected))
    assert link is not None and link.from_provision.key == "m-1-1"
    assert [t.to_provision.key for t in link.targets] == ["m-1-2"]

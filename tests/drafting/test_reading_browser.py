"""In a real browser: open the final Code, read a measure, follow its history to round 1."""
# Browser fixtures come from tests/browser/fixtures.py (registered in tests/conftest.py).

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import WorkingGroup
from app.core.db import db
from app.drafting import importer
from tests.browser.fixtures import screenshot
from tests.drafting.conftest import DRAFTS

pytestmark = pytest.mark.browser


def _seed() -> None:
    for slug in ("wg1", "wg2", "wg3", "wg4"):
        if db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == slug)) is None:
            accounts.create_group(slug, f"Working group {slug[-1]}")
    importer.import_path(DRAFTS)


def test_a_reader_follows_a_measure_back_to_the_first_draft(live_server: Any, page: Any) -> None:
    live_server.seed(_seed)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Final version", exact=True).first.click()
    page.wait_for_load_state()
    screenshot(page, "drafting-round-toc")
    page.get_by_role("link", name="Measure 1.1: Drawing up model documentation").click()
    page.wait_for_load_state()
    assert page.locator("#provision-text").inner_text().strip() != ""
    screenshot(page, "drafting-provision")
    versions = page.get_by_role("table").filter(has_text="Change into the next round")
    versions.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "/rounds/1/provisions/" in page.url
    assert "First draft" in page.get_by_role("navigation", name="Breadcrumb").inner_text()
    screenshot(page, "drafting-provision-round-1")

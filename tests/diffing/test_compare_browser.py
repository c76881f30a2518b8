"""The compare page of the demo Code in a real browser: switch to side by side, screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.fixtures import screenshot
from tests.diffing.story import import_demo

pytestmark = pytest.mark.browser


def test_compare_page_switches_to_side_by_side(live_server: Any, page: Any) -> None:  # noqa: F811
    live_server.seed(import_demo)
    page.goto(live_server.url + "/codes/gpai-code/compare?from=1&to=4")
    assert page.get_by_role("heading", name="What changed from round 1 to round 4").is_visible()
    assert page.locator("article.diff-entry del").count() > 0
    screenshot(page, "diff-compare-inline")
    page.get_by_label("Side by side").check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert "view=side" in page.url
    assert page.locator(".side-by-side").first.is_visible()
    screenshot(page, "diff-compare-side-by-side")

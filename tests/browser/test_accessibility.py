"""Accessibility checked, not assumed: an automated WCAG 2.1 AA audit (axe-core, through
axe-playwright-python) of every main page, as each role sees it, in the real browser.

A serious or critical violation fails the test, naming the page, the rule and the elements.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.db import db, utcnow
from app.drafting.models import Provision
from tests.browser.fixtures import screenshot
from tests.diffing.story import import_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DRAFTS = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"
PASSWORD = "an accessible password 1"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
ROLES = {"participant": "a11y.participant@example.org", "chair": "a11y.chair@example.org",
         "secretariat": "a11y.secretariat@example.org"}


def seed() -> dict[str, Any]:
    """The demo Code with its round-2 feedback, a synthesis of a group, and one account per
    role; the third draft is open for comments."""
    from app.drafting.services import get_round
    from app.feedback.bulk import import_feedback_file
    from app.synthesis.services import run_synthesis

    import_demo()
    second, third = get_round("gpai-code", 2, check=False), get_round("gpai-code", 3, check=False)
    import_feedback_file(DRAFTS / "feedback" / "round-2.jsonl", second)
    third.opens_at, third.closes_at = utcnow() - dt.timedelta(days=1), utcnow() + dt.timedelta(
        days=9)
    accounts.create_user(ROLES["participant"], "Pia Participant", password=PASSWORD)
    accounts.create_user(ROLES["chair"], "Cai Chair", password=PASSWORD,
                         groups=[("wg1", "chair")])
    accounts.create_user(ROLES["secretariat"], "Sia Secretariat", password=PASSWORD,
                         role="secretariat")
    run = run_synthesis(second, group="wg1")
    measure = db.session.scalar(select(Provision).where(
        Provision.round_id == third.id, Provision.kind == "measure").order_by(Provision.position))
    return {"run": run.id, "theme": run.themes[0].id if run.themes else None,
            "measure": measure.key, "measure_id": measure.id}


def pages(role: str, seeded: dict[str, Any]) -> list[str]:
    key = seeded["measure"]
    public = [
        "/", "/codes/gpai-code", "/codes/gpai-code/rounds/3",
        f"/codes/gpai-code/rounds/3/provisions/{key}",
        "/codes/gpai-code/compare?from=2&to=3", "/codes/gpai-code/compare?from=2&to=3&view=side",
        "/codes/gpai-code/rounds/3/changes", f"/codes/gpai-code/provisions/{key}/history",
        "/codes/gpai-code/rounds/2/register", "/record", "/login",
    ]
    if role == "public":
        return public
    signed_in = [*public[:-1], "/my/feedback", "/account", "/account/tokens",
                 f"/feedback/provisions/{seeded['measure_id']}/comments"]
    if role == "participant":
        return signed_in
    chair = [*signed_in, "/chair/synthesis", "/chair/codes/gpai-code/rounds/2/synthesis",
             f"/chair/runs/{seeded['run']}"]
    if seeded["theme"]:
        chair.append(f"/chair/runs/{seeded['run']}/themes/{seeded['theme']}")
    if role == "chair":
        return chair
    return [*chair, "/admin/", "/admin/accounts", "/admin/groups", "/admin/audit",
            "/admin/drafts", "/admin/drafts/gpai-code/rounds/3",
            "/admin/drafts/gpai-code/rounds/3/lineage?show=all",
            "/codes/gpai-code/rounds/3/feedback/import", "/codes/gpai-code/rounds/2/comments.csv"]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def seeded(live_server: Any) -> dict[str, Any]:
    return live_server.seed(seed)


@pytest.mark.parametrize("role", ["public", "participant", "chair", "secretariat"])
def test_every_main_page_passes_an_automated_wcag_aa_audit(
    live_server: Any, browser: Any, seeded: dict[str, Any], role: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        if role != "public":
            log_in(page, live_server.url, ROLES[role])
        failures = []
        for path in pages(role, seeded):
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (role, path)
            results = axe.run(page, options=WCAG_AA)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                    failures.append(f"{path}: {violation['id']} ({violation['impact']}): "
                                    f"{violation['help']} — {targets}")
                    screenshot(page, f"a11y-{role}-{path.strip('/').replace('/', '-')[:60]}")
        assert failures == [], "\n".join(failures)
    finally:
        context.close()

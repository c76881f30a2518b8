"""A browser set to French gets the pages in French; the footer switcher turns them English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.accounts import services
from app.core.db import db
from app.drafting.models import Code, Round

pytestmark = pytest.mark.browser


def _seed() -> None:
    code = Code(slug="fr-code", title="Code de pratique")
    db.session.add(code)
    db.session.add(Round(code=code, number=1, name="Premier projet", visibility="public",
                         date=dt.date(2024, 12, 19), levels=["chapter", "measure"],
                         opens_at=dt.datetime(2024, 12, 19, 11, 0, tzinfo=dt.UTC),
                         closes_at=dt.datetime(2025, 1, 15, 22, 59, tzinfo=dt.UTC)))
    services.create_user("lea@example.org", "Léa Lecteur", password="a browser password 1")


def test_a_french_browser_logs_in_and_reads_in_french(live_server: Any, browser: Any) -> None:
    live_server.seed(_seed)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_label("Adresse électronique").fill("lea@example.org")
        page.get_by_label("Mot de passe").fill("wrong password here")
        page.get_by_role("button", name="Se connecter").click()
        refused = "L’adresse électronique ou le mot de passe est incorrect."
        assert page.get_by_text(refused).is_visible()
        page.get_by_label("Mot de passe").fill("a browser password 1")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/codes/fr-code/rounds/1")
        assert page.get_by_text("Daté du 19 décembre 2024.").is_visible()
        assert page.get_by_text("contributions closes le 15 janvier 2025").is_visible()
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_text("Dated 19 December 2024.").is_visible()
    finally:
        context.close()


def _seed_account() -> None:
    services.create_user("sec@example.org", "Sec", password="a browser password 1",
                         role="secretariat")
    services.create_user("someone@example.org", "Someone Else")


def test_a_long_french_button_wraps_on_a_phone(live_server: Any, browser: Any) -> None:
    live_server.seed(_seed_account)
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.get_by_label("Adresse électronique").fill("sec@example.org")
        page.get_by_label("Mot de passe").fill("a browser password 1")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/admin/accounts")
        page.get_by_role("link", name="Someone Else").first.click()
        page.wait_for_load_state()
        button = page.get_by_role("button", name="Enregistrer le rôle et les groupes de travail")
        assert button.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    finally:
        context.close()

import pytest

from app.accounts import services
from tests.browser.fixtures import screenshot

pytestmark = pytest.mark.browser


def test_secretariat_logs_in_and_out_in_a_real_browser(live_server, page):
    live_server.seed(lambda: services.create_user(
        "browser.sec@example.org", "Sam Secretariat", role="secretariat",
        password="a browser password 1"))
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("browser.sec@example.org")
    page.get_by_label("Password").fill("a browser password 1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Secretariat", exact=True).is_visible()
    screenshot(page, "home-after-login")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Log in").is_visible()


def test_wrong_password_shows_a_message_in_the_browser(live_server, page):
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("The email or password is not right.").is_visible()

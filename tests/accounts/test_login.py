import re

from app.accounts.models import User
from app.core.audit import AuditEvent
from app.core.db import db
from tests.conftest import PASSWORD


def test_password_is_hashed_with_scrypt(create_user):
    user = create_user("hash@example.org")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_outside_the_tests_passwords_are_hashed_at_scrypt_full_cost(tmp_path):
    from app import create_app
    from app.accounts.services import hash_password
    from app.config import load_config

    config = load_config(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    assert "PLENARY_PASSWORD_HASH" not in config  # not settable from the environment
    with create_app({**config, "TESTING": True}).app_context():
        assert hash_password(PASSWORD).startswith("scrypt:32768:8:1$")
    assert hash_password(PASSWORD).startswith("scrypt:32768:8:1$")  # outside an app too


def test_login_with_right_password_signs_in(client, auth, create_user):
    create_user("ana@example.org", name="Ana Example")
    response = auth.login("ana@example.org")
    assert response.status_code == 302
    assert "Ana Example" in client.get("/").get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_answer(client, auth, create_user):
    create_user("ana@example.org")
    wrong = auth.login("ana@example.org", "not the right password").get_data(as_text=True)
    unknown = auth.login("nobody@example.org", "not the right password").get_data(as_text=True)
    assert "The email or password is not right." in wrong

    def strip(page):
        page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)
        return page.replace("ana@example.org", "").replace("nobody@example.org", "")

    assert strip(wrong) == strip(unknown)


def test_failed_login_is_audited_without_the_password(client, auth, create_user):
    create_user("ana@example.org")
    auth.login("ana@example.org", "a-wrong-password-123")
    event = db.session.query(AuditEvent).filter_by(action="login.failure").one()
    assert event.detail["email"] == "ana@example.org"
    assert "a-wrong-password-123" not in str(event.detail)


def test_next_redirects_only_to_local_pages(client, auth, create_user):
    create_user("ana@example.org")
    token = auth.csrf_token()
    for target, expected in [
        ("/account", "/account"),
        ("https://evil.example/x", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        response = client.post(
            f"/login?next={target}",
            data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected, target


def test_login_form_without_csrf_token_is_refused(client, create_user):
    create_user("ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_logout_invalidates_the_old_session_cookie(client, auth, create_user, app):
    create_user("ana@example.org")
    auth.login("ana@example.org")
    stolen = client.get_cookie("session").value
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302  # sent to the login page


def test_password_change_invalidates_remember_cookies(client, auth, create_user, app):
    user = create_user("ana@example.org")
    auth.login("ana@example.org", remember=True)
    remember = client.get_cookie("remember_token").value
    other_device = app.test_client()
    other_device.set_cookie("remember_token", remember)
    assert other_device.get("/account").status_code == 200
    from app.accounts import services

    services.set_password(db.session.get(User, user.id), "another long password")
    db.session.commit()
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account").status_code == 302


def test_login_is_rate_limited_per_account(client, auth, create_user):
    create_user("ana@example.org")
    statuses = [auth.login("ana@example.org", "wrong password 000").status_code for _ in range(10)]
    assert statuses[:8] == [200] * 8
    assert statuses[-1] == 429


def test_rate_limit_answer_is_a_page_not_a_traceback(client, auth, create_user):
    for _ in range(9):
        response = auth.login("nobody@example.org", "wrong password 000")
    assert response.status_code == 429
    assert "Too many" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_short_passwords_are_refused_on_change(client, auth, create_user):
    create_user("ana@example.org")
    auth.login("ana@example.org")
    response = client.post(
        "/account",
        data={
            "current": PASSWORD,
            "password": "short",
            "confirm": "short",
            "csrf_token": auth.csrf_token("/account"),
        },
    )
    assert "at least 12" in response.get_data(as_text=True).replace(
        "Field must be at least 12", "at least 12"
    )

"""Attacks, one test each, on the pages and endpoints that exist (issue 7, point 2)."""

from __future__ import annotations

import json
import re

import pytest

from app.accounts import services
from app.accounts.models import ApiToken, Invitation, User, WorkingGroup
from app.core.audit import AuditEvent
from app.core.db import db
from tests.conftest import PASSWORD

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_of(client, path: str = "/login") -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def logged_in(app, email: str):
    """A fresh browser signed in as `email`."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": PASSWORD,
                                            "csrf_token": csrf_of(browser)})
    assert response.status_code == 302, email
    return browser


def counts() -> tuple[int, ...]:
    return tuple(db.session.query(model).count()
                 for model in (User, ApiToken, WorkingGroup, Invitation))


def assert_harmless(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- CSRF -------------------------------------------------------------------------------------

FORM_POSTS = [
    ("/account", {"current": PASSWORD, "password": "a brand new password", "confirm":
                  "a brand new password"}),
    ("/account/tokens", {"name": "forged"}),
    ("/account/delete", {"password": PASSWORD, "understood": "y"}),
    ("/admin/accounts", {"new-email": "forged@example.org", "new-name": "Forged",
                         "new-category": "other", "new-role": "secretariat", "new-submit": "1"}),
    ("/admin/groups", {"group-slug": "forged", "group-name": "Forged", "group-submit": "1"}),
    ("/admin/groups/wg1/members", {"member-email": "sec@example.org", "member-role": "chair"}),
    ("/logout", {}),
]


@pytest.mark.parametrize("path, form", FORM_POSTS, ids=[p for p, _ in FORM_POSTS])
def test_form_post_without_csrf_token_is_refused_and_writes_nothing(app, client, create_user,
                                                                   path, form):
    create_user("sec@example.org", role="secretariat", groups=[("wg1", "member")])
    victim = logged_in(app, "sec@example.org")
    before, version = counts(), services.find_user("sec@example.org").session_version
    response = victim.post(path, data=form)
    assert response.status_code == 400
    db.session.expire_all()
    assert counts() == before
    assert services.find_user("sec@example.org").session_version == version
    assert services.authenticate("sec@example.org", PASSWORD) is not None


@pytest.mark.parametrize("path, form", FORM_POSTS, ids=[p for p, _ in FORM_POSTS])
def test_form_post_with_another_sessions_csrf_token_is_refused(app, client, create_user,
                                                               path, form):
    create_user("sec@example.org", role="secretariat", groups=[("wg1", "member")])
    create_user("attacker@example.org")
    attacker = logged_in(app, "attacker@example.org")
    foreign_token = csrf_of(attacker, "/account")
    victim = logged_in(app, "sec@example.org")
    before = counts()
    response = victim.post(path, data={**form, "csrf_token": foreign_token})
    assert response.status_code == 400
    db.session.expire_all()
    assert counts() == before
    assert services.authenticate("sec@example.org", PASSWORD) is not None


def test_api_is_the_only_csrf_exempt_blueprint(app):
    from app.core.extensions import csrf

    assert {getattr(b, "name", b) for b in csrf._exempt_blueprints} <= {"api"}
    assert not csrf._exempt_views


# --- IDOR -------------------------------------------------------------------------------------

def test_someone_elses_token_cannot_be_revoked_or_seen(app, client, create_user):
    owner = create_user("owner@example.org")
    token, _ = services.create_token(owner, "owner's laptop")
    db.session.commit()
    create_user("other@example.org")
    other = logged_in(app, "other@example.org")
    assert "owner&#39;s laptop" not in other.get("/account/tokens").get_data(as_text=True)
    response = other.post(f"/account/tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_of(other, "/account")})
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_invitation_sets_only_its_own_accounts_password(client, create_user):
    invitee = create_user("new@example.org", password=None)
    create_user("victim@example.org")
    token = services.create_invitation(invitee, days=7)
    db.session.commit()
    client.post(f"/invite/{token}", data={
        "password": "an attacker password", "confirm": "an attacker password",
        "user_id": "2", "email": "victim@example.org", "csrf_token": csrf_of(client)})
    assert services.authenticate("victim@example.org", PASSWORD) is not None
    assert services.authenticate("victim@example.org", "an attacker password") is None
    assert services.authenticate("new@example.org", "an attacker password") is not None


def test_invitation_tokens_are_stored_hashed_and_only_the_exact_token_works(client,
                                                                           create_user):
    invitee = create_user("new@example.org", password=None)
    token = services.create_invitation(invitee, days=7)
    db.session.commit()
    stored = db.session.query(Invitation).one()
    assert token not in stored.token_hash
    for guess in (stored.token_hash, str(stored.id), token[:-1], token.upper()):
        assert client.get(f"/invite/{guess}").status_code == 404


def test_secretariat_pages_and_actions_are_404_for_participants(app, client, create_user):
    create_user("p@example.org")
    target = create_user("t@example.org", password=None)
    browser = logged_in(app, "p@example.org")
    token = csrf_of(browser, "/account")
    assert browser.post(f"/admin/accounts/{target.id}/invite",
                        data={"csrf_token": token}).status_code == 404
    assert browser.post("/admin/groups/wg1/members", data={
        "csrf_token": token, "member-email": "p@example.org",
        "member-role": "chair"}).status_code == 404
    assert db.session.query(Invitation).count() == 0


# --- script payloads --------------------------------------------------------------------------

@pytest.fixture
def hostile_user(create_user, create_group):
    group = create_group("wg1")
    group.name = SCRIPT
    db.session.commit()
    return create_user("evil@example.org", name=SCRIPT, organisation=ATTRIBUTE,
                       groups=[("wg1", "chair")])


def test_script_in_name_and_organisation_is_escaped_on_the_account_pages(app, client,
                                                                         hostile_user):
    browser = logged_in(app, "evil@example.org")
    for path in ("/account", "/account/tokens", "/account/export", "/account/delete", "/"):
        html = browser.get(path).get_data(as_text=True)
        assert_harmless(html)
        assert "<img src=x" not in html, path


def test_script_in_name_and_organisation_is_escaped_on_the_secretariat_pages(
        app, client, hostile_user, create_user):
    create_user("sec@example.org", role="secretariat")
    browser = logged_in(app, "sec@example.org")
    browser.post("/login", data={"email": SCRIPT, "password": "x",
                                 "csrf_token": csrf_of(browser)})  # logged as typed
    for path in ("/admin/accounts", "/admin/groups", "/admin/audit",
                 f"/admin/audit?action={SCRIPT}"):
        html = browser.get(path).get_data(as_text=True)
        assert SCRIPT not in html and "<img src=x" not in html, path
    assert_harmless(browser.get("/admin/audit").get_data(as_text=True))


def test_script_in_name_is_inert_in_json(app, client, hostile_user):
    browser = logged_in(app, "evil@example.org")
    link = re.search(r'href="(/account/export/[^"]+)"',
                     browser.get("/account/export").get_data(as_text=True)).group(1)
    response = browser.get(link)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    data = json.loads(response.get_data(as_text=True))
    assert (data["account"]["name"], data["account"]["organisation"]) == (SCRIPT, ATTRIBUTE)


def test_pages_forbid_inline_scripts(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


# --- open redirects ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "https://evil.example/x", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "/\t/evil.example", " //evil.example",
    "/%0a/evil.example\n", "https:evil.example", "data:text/html,hi", "\x00//evil.example",
])
def test_next_never_leaves_the_site(client, create_user, target):
    create_user("ana@example.org")
    response = client.post("/login", query_string={"next": target}, data={
        "email": "ana@example.org", "password": PASSWORD, "csrf_token": csrf_of(client)})
    if "\x00" in target:  # a NUL in any query string is refused before anything else
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- mass assignment --------------------------------------------------------------------------

EXTRA = {"role": "secretariat", "groups": "wg1:chair", "group": "wg1:chair",
         "user_id": "1", "session_version": "99", "active": "y"}


def test_extra_fields_on_the_token_form_are_ignored(app, client, create_user, create_group):
    create_group("wg1")
    user = create_user("p@example.org")
    other = create_user("q@example.org")
    browser = logged_in(app, "p@example.org")
    browser.post("/account/tokens", data={"name": "mine", **EXTRA, "user_id": str(other.id),
                                          "csrf_token": csrf_of(browser, "/account")})
    db.session.expire_all()
    token = db.session.query(ApiToken).one()
    assert token.user_id == user.id
    assert (user.role, user.memberships) == ("participant", [])


def test_extra_fields_on_the_password_form_are_ignored(app, client, create_user, create_group):
    create_group("wg1")
    user = create_user("p@example.org")
    browser = logged_in(app, "p@example.org")
    browser.post("/account", data={"current": PASSWORD, "password": "a brand new password",
                                   "confirm": "a brand new password", **EXTRA,
                                   "csrf_token": csrf_of(browser, "/account")})
    db.session.expire_all()
    assert (user.role, user.memberships, user.active) == ("participant", [], True)
    assert services.authenticate("p@example.org", "a brand new password") is not None


# --- cookie replay ----------------------------------------------------------------------------

def stolen_cookies(app, email: str) -> tuple[object, dict[str, str]]:
    browser = app.test_client()
    browser.post("/login", data={"email": email, "password": PASSWORD, "remember": "y",
                                 "csrf_token": csrf_of(browser)})
    return browser, {name: browser.get_cookie(name).value
                     for name in ("session", "remember_token")}


def replay_fails(app, cookies: dict[str, str]) -> bool:
    for name, value in cookies.items():
        thief = app.test_client()
        thief.set_cookie(name, value)
        if thief.get("/account").status_code != 302:
            return False
    return True


def test_session_and_remember_cookies_replayed_after_logout_are_refused(app, client,
                                                                        create_user):
    create_user("ana@example.org")
    browser, cookies = stolen_cookies(app, "ana@example.org")
    assert not replay_fails(app, cookies)  # the stolen cookies work while the session lives
    browser.post("/logout", data={"csrf_token": csrf_of(browser, "/account")})
    assert replay_fails(app, cookies)


def test_session_and_remember_cookies_replayed_after_a_password_change_are_refused(
        app, client, create_user):
    create_user("ana@example.org")
    browser, cookies = stolen_cookies(app, "ana@example.org")
    browser.post("/account", data={"current": PASSWORD, "password": "a brand new password",
                                   "confirm": "a brand new password",
                                   "csrf_token": csrf_of(browser, "/account")})
    assert replay_fails(app, cookies)
    assert browser.get("/account").status_code == 200  # the device that changed it stays in


def test_cookies_replayed_after_a_role_change_are_refused(app, client, create_user):
    user = create_user("ana@example.org", role="secretariat")
    _, cookies = stolen_cookies(app, "ana@example.org")
    services.set_role(user, "participant")
    db.session.commit()
    assert replay_fails(app, cookies)


# --- enumeration ------------------------------------------------------------------------------

NEXT_RE = re.compile(r'name="next" value="[^"]*"')


def normalised(html: str) -> str:
    """The page without what differs by request alone: the CSRF token and the address the
    language switcher returns to (the link asked for, which the asker knows already)."""
    return NEXT_RE.sub("", CSRF_RE.sub("", html))


def test_invitation_links_answer_the_same_whatever_is_wrong(client, create_user):
    used_for = create_user("used@example.org", password=None)
    used = services.create_invitation(used_for, days=7)
    expired_for = create_user("expired@example.org", password=None)
    expired = services.create_invitation(expired_for, days=0)
    db.session.commit()
    client.post(f"/invite/{used}", data={"password": "a long enough password",
                                         "confirm": "a long enough password",
                                         "csrf_token": csrf_of(client)})
    fresh = client.application.test_client()
    answers = {(r.status_code, normalised(r.get_data(as_text=True)))
               for r in (fresh.get(f"/invite/{t}") for t in (used, expired, "x" * 43))}
    assert len(answers) == 1 and answers.pop()[0] == 404


def test_login_answers_the_same_for_unknown_accounts_and_accounts_without_password(
        client, create_user):
    create_user("invited@example.org", password=None)
    create_user("closed@example.org")
    services.find_user("closed@example.org").active = False
    db.session.commit()
    answers = set()
    for email in ("nobody@example.org", "invited@example.org", "closed@example.org"):
        page = client.post("/login", data={"email": email, "password": "wrong password 1",
                                           "csrf_token": csrf_of(client)})
        answers.add((page.status_code, normalised(page.get_data(as_text=True)).replace(email, "")))
    assert len(answers) == 1


# --- brute force ------------------------------------------------------------------------------

def attempt(client, email: str, address: str):
    return client.post("/login", environ_base={"REMOTE_ADDR": address}, data={
        "email": email, "password": "wrong password 0",
        "csrf_token": csrf_of(client)})


def test_login_is_limited_per_account_across_addresses(client, create_user):
    create_user("ana@example.org")
    statuses = [attempt(client, "ana@example.org", f"10.0.0.{i}").status_code
                for i in range(9)]
    assert statuses == [200] * 8 + [429]


def test_login_is_limited_per_address_across_accounts(client):
    statuses = [attempt(client, f"user{i}@example.org", "10.9.9.9").status_code
                for i in range(21)]
    assert statuses == [200] * 20 + [429]
    assert attempt(client, "user0@example.org", "10.9.9.8").status_code == 200


def test_password_guessing_through_account_deletion_is_limited(app, client, create_user):
    create_user("ana@example.org")
    browser = logged_in(app, "ana@example.org")
    token = csrf_of(browser, "/account")
    statuses = [browser.post("/account/delete", data={
        "password": f"guess number {i:04d}", "understood": "y", "csrf_token": token}).status_code
        for i in range(11)]
    assert statuses == [200] * 10 + [429]
    assert services.find_user("ana@example.org").deleted_at is None


# --- oversized bodies and content types --------------------------------------------------------

def test_an_oversized_form_body_is_413_and_writes_nothing(app, client, create_user):
    create_user("ana@example.org")
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = db.session.query(AuditEvent).count()
    response = client.post("/login", data={"email": "ana@example.org", "password": "x" * limit,
                                           "csrf_token": csrf_of(client)})
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    assert db.session.query(AuditEvent).count() == before


COMMENTS_RULE = "/api/v1/codes/<code>/rounds/<int:number>/provisions/<key>/comments"


def comments_endpoint_exists(app) -> bool:
    return any(r.rule == COMMENTS_RULE and "POST" in r.methods for r in app.url_map.iter_rules())


@pytest.fixture
def comment_target(app, create_user, create_round, create_provision):
    if not comments_endpoint_exists(app):
        pytest.skip("POST /api/v1/.../comments (app/api/feedback.py) does not exist yet")
    user = create_user("api@example.org")
    _, secret = services.create_token(user, "attack tests")
    db.session.commit()
    create_provision(create_round(1), "m-1")
    return ("/api/v1/codes/demo-code/rounds/1/provisions/m-1/comments",
            {"Authorization": f"Bearer {secret}"})


def test_api_comment_with_a_wrong_content_type_is_415(client, comment_target):
    url, headers = comment_target
    response = client.post(url, headers=headers, data="stance=support&body=hi",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.is_json


def test_api_comment_body_over_the_json_limit_is_413(client, comment_target):
    from app.api.blueprint import MAX_JSON_BYTES

    url, headers = comment_target
    response = client.post(url, headers=headers, json={"stance": "support",
                                                       "body": "x" * MAX_JSON_BYTES})
    assert response.status_code == 413 and response.is_json


def test_api_post_is_not_subject_to_browser_cookies(app, client, comment_target, create_user):
    url, _ = comment_target
    create_user("ana@example.org")
    browser = logged_in(app, "ana@example.org")
    response = browser.post(url, json={"stance": "support", "body": "riding a cookie"})
    assert response.status_code in (401, 403)

"""Personal data: export my data through an expiring link, delete my account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from app.accounts import privacy, services
from app.accounts.models import ApiToken, Invitation, User
from app.core.audit import AuditEvent
from app.core.db import db
from app.feedback.models import Comment, CommentCarry
from tests.conftest import PASSWORD


def export_link(client) -> str:
    page = client.get("/account/export").get_data(as_text=True)
    return re.search(r'href="(/account/export/[^"]+)"', page).group(1)


def delete_form(client, auth, password=PASSWORD, understood=True):
    data = {"password": password, "csrf_token": auth.csrf_token("/account/delete")}
    if understood:
        data["understood"] = "y"
    return client.post("/account/delete", data=data)


@pytest.fixture
def author_with_comment(create_user, create_round, create_provision, create_comment):
    user = create_user("ana@example.org", name="Ana Example", organisation="Example NGO",
                       groups=[("wg1", "member")])
    first = create_round(1)
    provision = create_provision(first, "m-1", label="Measure 1")
    comment = create_comment(provision, user, "Keep it shorter.", stance="amend",
                             quote_exact="documentation", publish_consent=True,
                             consent_at=dt.datetime.now(dt.UTC), consent_terms="2026-11")
    second = create_round(2)
    moved = create_provision(second, "m-1", label="Measure 2")
    db.session.add(CommentCarry(comment=comment, to_round_id=second.id, to_provision=moved,
                                status="anchored", quote_exact="documentation"))
    db.session.commit()
    return user, comment


def test_export_needs_a_login(client, author_with_comment):
    assert client.get("/account/export").status_code == 302


def test_export_holds_my_account_memberships_comments_and_carries(client, auth,
                                                                  author_with_comment):
    user, comment = author_with_comment
    auth.login("ana@example.org")
    response = client.get(export_link(client))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["account"]["email"] == "ana@example.org"
    assert data["account"]["organisation"] == "Example NGO"
    assert data["memberships"] == [{"group": "wg1", "group_name": "Working group wg1",
                                    "role": "member"}]
    [item] = data["comments"]
    assert (item["id"], item["body"], item["consent_terms"]) == (comment.id, "Keep it shorter.",
                                                                 "2026-11")
    assert item["carried"] == [{"round": 2, "provision": "m-1", "status": "anchored",
                                "quote": "documentation"}]
    assert "password" not in response.get_data(as_text=True).replace("password_set", "")


def test_export_contains_only_my_comments(client, auth, author_with_comment, create_user,
                                          create_comment):
    _, comment = author_with_comment
    other = create_user("bob@example.org")
    create_comment(comment.provision, other, "Bob's own view.")
    auth.login("bob@example.org")
    data = client.get(export_link(client)).get_json()
    assert [c["body"] for c in data["comments"]] == ["Bob's own view."]


def test_export_link_of_another_account_is_refused(client, auth, app, author_with_comment,
                                                   create_user):
    auth.login("ana@example.org")
    anas_link = export_link(client)
    create_user("bob@example.org")
    bob = app.test_client()
    bob.post("/login", data={"email": "bob@example.org", "password": PASSWORD,
                             "csrf_token": _token(bob)})
    response = bob.get(anas_link)
    assert response.status_code == 404
    assert "ana@example.org" not in response.get_data(as_text=True)


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def link_minted_ago(client, monkeypatch, minutes: int) -> str:
    """An export link whose timestamp lies `minutes` in the past (only export links shift)."""

    class EarlierSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - minutes * 60

    with monkeypatch.context() as patch:
        patch.setattr(privacy, "_serializer", lambda key: URLSafeTimedSerializer(
            key, salt=privacy.EXPORT_SALT, signer=EarlierSigner))
        return export_link(client)


def test_export_link_expires_after_fifteen_minutes(client, auth, author_with_comment,
                                                   monkeypatch):
    auth.login("ana@example.org")
    assert client.get(link_minted_ago(client, monkeypatch, 14)).status_code == 200
    assert client.get(link_minted_ago(client, monkeypatch, 16)).status_code == 404


def test_export_link_dies_with_the_session_version(client, auth, author_with_comment):
    user, _ = author_with_comment
    auth.login("ana@example.org")
    link = export_link(client)
    auth.logout()
    auth.login("ana@example.org")
    assert client.get(link).status_code == 404


def test_a_tampered_export_token_is_refused(app, author_with_comment):
    user, _ = author_with_comment
    token = privacy.export_token(user, app.config["SECRET_KEY"])
    forged = privacy.export_token(user, "another-secret-key-" + "y" * 32)
    # Change a whole character inside the signature (the last one carries padding bits only
    # in part, so changing it can leave the decoded signature the same).
    i = len(token) - 5
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    for bad in (forged, tampered, "nonsense"):
        with pytest.raises(privacy.NotFound):
            privacy.check_export_token(bad, user, app.config["SECRET_KEY"])


def test_delete_needs_the_password_and_writes_nothing_without_it(client, auth,
                                                                 author_with_comment):
    user, _ = author_with_comment
    auth.login("ana@example.org")
    response = delete_form(client, auth, password="not my password at all")
    assert "The password is not right." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.deleted_at is None and user.email == "ana@example.org"


def test_delete_needs_the_confirmation_box(client, auth, author_with_comment):
    user, _ = author_with_comment
    auth.login("ana@example.org")
    delete_form(client, auth, understood=False)
    db.session.refresh(user)
    assert user.deleted_at is None


def test_delete_removes_personal_data_and_keeps_the_comments(client, auth,
                                                             author_with_comment):
    user, comment = author_with_comment
    services.create_token(user, "script")
    db.session.commit()
    auth.login("ana@example.org")
    response = delete_form(client, auth)
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert (user.name, user.email, user.organisation, user.password_hash) == (
        "Former participant", f"deleted-{user.id}@invalid", None, None)
    assert user.deleted_at is not None and user.memberships == []
    assert db.session.get(Comment, comment.id).author_id == user.id
    assert db.session.query(ApiToken).filter_by(user_id=user.id, revoked_at=None).count() == 0


def test_delete_ends_every_session_and_remember_cookie(client, auth, app, author_with_comment):
    auth.login("ana@example.org", remember=True)
    remember = client.get_cookie("remember_token").value
    session = client.get_cookie("session").value
    delete_form(client, auth)
    for name, value in (("remember_token", remember), ("session", session)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert replay.get("/account").status_code == 302, name
    assert auth.login("deleted-1@invalid").status_code == 200
    assert auth.login("ana@example.org").status_code == 200


def test_delete_stops_api_tokens_and_invitation_links(client, auth, author_with_comment):
    user, _ = author_with_comment
    _, secret = services.create_token(user, "script")
    invite = services.create_invitation(user, days=7)
    db.session.commit()
    auth.login("ana@example.org")
    delete_form(client, auth)
    assert client.get("/api/v1/openapi.json",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.get(f"/invite/{invite}").status_code == 404
    assert db.session.query(Invitation).filter_by(user_id=user.id).count() == 0


def test_delete_is_audited_without_personal_data(client, auth, author_with_comment):
    user, _ = author_with_comment
    auth.login("ana@example.org", "a wrong password here")  # logs the email on failure
    auth.login("ana@example.org")
    delete_form(client, auth)
    event = db.session.query(AuditEvent).filter_by(action="user.delete").one()
    assert event.target_id == str(user.id)
    everything = " ".join(str(e.detail) for e in db.session.query(AuditEvent))
    for personal in ("ana@example.org", "Ana Example", "Example NGO"):
        assert personal not in everything


def test_a_new_invitation_link_cannot_reopen_a_deleted_account(client, auth,
                                                              author_with_comment):
    user, _ = author_with_comment
    auth.login("ana@example.org")
    delete_form(client, auth)
    token = services.create_invitation(db.session.get(User, user.id), days=7)
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404


def test_the_last_secretariat_cannot_delete_itself(client, auth, create_user):
    user = create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")
    response = delete_form(client, auth)
    assert "only secretariat" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.deleted_at is None


def test_deleted_author_shows_as_former_participant_on_admin_pages(client, auth,
                                                                   author_with_comment,
                                                                   create_user):
    auth.login("ana@example.org")
    delete_form(client, auth)
    create_user("sec@example.org", role="secretariat", organisation="The Secretariat")
    auth.login("sec@example.org")
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "Former participant" in page and "Ana Example" not in page
    assert "Example NGO" not in page


def test_what_is_embedded_never_carries_the_authors_name_or_organisation(
    create_round, create_provision, create_user
):
    """So deleting an account needs no re-embedding: names were never in the vectors."""
    from app.feedback.models import Comment
    from app.synthesis.vectors import comment_text

    round_ = create_round(1)
    provision = create_provision(round_, "m-embed")
    author = create_user("zed@example.org", name="Zed Quillfeather", organisation="Quill Org")
    comment = Comment(round=round_, provision=provision, author=author, stance="amend",
                      body="Six months is too short.", proposed_text="twelve months")
    text = comment_text(comment)
    assert "Six months" in text and "twelve months" in text
    assert "Quillfeather" not in text and "Quill Org" not in text

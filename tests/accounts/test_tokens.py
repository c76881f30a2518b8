from app.accounts.models import ApiToken
from app.core.db import db


def test_cli_prints_the_token_alone_on_the_last_line(runner, create_user):
    create_user("dev@example.org")
    result = runner.invoke(args=["tokens", "create", "dev@example.org"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("pln_") and " " not in secret
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash != secret and secret not in stored.token_hash


def test_cli_unknown_account_exits_2(runner):
    result = runner.invoke(args=["tokens", "create", "ghost@example.org"])
    assert result.exit_code == 2


def test_bad_bearer_token_is_401_json(client):
    response = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.is_json and "error" in response.get_json()


def test_token_page_shows_the_secret_once_and_revokes(client, auth, create_user):
    create_user("dev@example.org")
    auth.login("dev@example.org")
    csrf = auth.csrf_token("/account/tokens")
    page = client.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf})
    text = page.get_data(as_text=True)
    assert "shown only this once" in text
    token = db.session.query(ApiToken).one()
    assert "shown only this once" not in client.get("/account/tokens").get_data(as_text=True)
    client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(client, auth, create_user):
    from app.accounts import services

    owner = create_user("owner@example.org")
    token, _ = services.create_token(owner, "mine")
    db.session.commit()
    create_user("other@example.org")
    auth.login("other@example.org")
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": auth.csrf_token()}
    )
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_token_name_that_shows_nothing_gets_the_default_name(create_user):
    from app.accounts import services

    owner = create_user("owner@example.org")
    for name in ("", "  ", "\u200b\u2060", "\u202e"):
        token, _ = services.create_token(owner, name)
        assert token.name == "API token"

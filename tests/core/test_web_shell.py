import re

from app.api.openapi import openapi_document


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_api_404_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]


def test_session_cookie_is_httponly_and_lax(client, auth, create_user):
    create_user("c@example.org")
    response = auth.login("c@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_api_route_is_in_the_openapi_description(app):
    """Parameter names may differ (`<int:number>` vs `{n}`); the path shapes must match."""

    def shape(path):
        return re.sub(r"\{[^}]*\}", "{}", path)

    documented = {shape(path) for path in openapi_document()["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            assert shape(path) in documented, f"{rule.rule} is not in openapi.json"


def test_an_id_past_the_database_range_is_404_not_a_server_error(client):
    for path in ("/api/v1/comments/6221816957", "/api/v1/codes/x/rounds/99999999999/annotations"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]

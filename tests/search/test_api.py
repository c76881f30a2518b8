"""GET /api/v1/codes/{code}/search: the shape of the answer, the cursor, errors, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from app.feedback import services as feedback

URL = "/api/v1/codes/demo-code/search"


@pytest.fixture
def lanterns(create_round: Any, create_provision: Any, create_user: Any,
             index_provisions: Any) -> Any:  # fmt: skip
    one = create_round(1)
    provisions = [create_provision(one, f"p{i}", label=f"Measure {i}", title=f"Lamp {i}",
                                   body=f"Lanterns {'lanterns ' * i}here.")
                  for i in range(5)]  # fmt: skip
    index_provisions(one)
    comment = feedback.submit_comment(provisions[0], create_user(password=None),
                                      stance="question", body="Why <b>lanterns</b>?",
                                      publish_consent=True)  # fmt: skip
    return one, comment


def test_items_describe_provisions_and_comments(client: Any, lanterns: Any) -> None:
    _, comment = lanterns
    answer = client.get(URL, query_string={"q": "lanterns"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["code"] == "demo-code" and data["q"] == "lanterns" and data["terms"] == ["lanterns"]
    assert data["total"] == 6 and data["next"] is None
    provision = next(i for i in data["items"] if i["kind"] == "provision")
    assert {"kind", "round", "key", "label", "title", "group", "snippet", "url"} <= set(provision)
    assert provision["round"] == 1 and provision["group"] == "wg1"
    assert "<mark>" in provision["snippet"]
    (said,) = [i for i in data["items"] if i["kind"] == "comment"]
    assert said["comment_id"] == comment.id and said["stance"] == "question"
    assert said["key"] == "p0" and said["url"].endswith(f"/provisions/p0#comment-{comment.id}")
    assert said["snippet"] == "Why &lt;b&gt;<mark>lanterns</mark>&lt;/b&gt;?"


def test_the_cursor_walks_every_result_once(client: Any, lanterns: Any) -> None:
    everything = client.get(URL, query_string={"q": "lanterns", "limit": 100}).get_json()["items"]
    seen, cursor = [], None
    while True:
        page = client.get(URL, query_string={"q": "lanterns", "limit": 2,
                                             **({"cursor": cursor} if cursor else {})}).get_json()
        assert len(page["items"]) <= 2 and page["total"] == 6
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == everything


@pytest.mark.parametrize("args", [{"q": "lanterns", "limit": "0"}, {"q": "lanterns",
                         "limit": "101"}, {"q": "lanterns", "limit": "x"},
                         {"q": "lanterns", "cursor": "abc"}, {"q": "lanterns", "cursor": "10001"},
                         {"q": ""}, {}, {"q": "lanterns", "kind": "theme"}])  # fmt: skip
def test_bad_parameters_are_400_in_json(client: Any, lanterns: Any, args: dict[str, str]) -> None:
    answer = client.get(URL, query_string=args)
    assert answer.status_code == 400 and "error" in answer.get_json()


def test_an_unknown_code_or_invisible_round_is_404(client: Any, lanterns: Any,
                                                   create_round: Any) -> None:  # fmt: skip
    create_round(2, visibility="internal")
    assert client.get("/api/v1/codes/nope/search?q=x").status_code == 404
    assert client.get(URL, query_string={"q": "x", "round": 2}).status_code == 404


def test_the_openapi_description_documents_the_search_and_its_cursor(client: Any,
                                                                     database: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/codes/{code}/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"code", "q", "round", "group", "kind", "stance", "cursor", "limit"} <= names
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["next"]["nullable"] is True
    assert "cursor" in body["properties"]["next"]["description"]
    hit = document["components"]["schemas"]["SearchHit"]
    assert {"kind", "round", "key", "label", "snippet"} <= set(hit["required"])


def test_a_total_past_the_limit_is_marked_inexact(client: Any, lanterns: Any,
                                                  monkeypatch: Any) -> None:  # fmt: skip
    from app.search import services

    monkeypatch.setattr(services, "COUNT_LIMIT", 3)
    data = client.get(URL, query_string={"q": "lanterns", "limit": 2}).get_json()
    assert data["total"] == 3 and data["total_exact"] is False and data["next"] == "2"
    data = client.get(URL, query_string={"q": "lanterns", "limit": 20}).get_json()
    assert data["total"] == 6 and data["total_exact"] is True  # one page: all are known

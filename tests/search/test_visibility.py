"""Who finds what: each role × each state of a comment × each visibility of a round, through
the service, the page and the API; nothing invisible in a snippet, a count or a suggestion."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from app.accounts import services as accounts
from app.drafting.services import visible_code
from app.search.query import parse_query
from app.search.services import Scope, search, suggestions
from tests.search.conftest import ROLES, STATES, VISIBILITIES, may_see, token

ALL_TOKENS = {token(s, v): (s, v) for s, v in itertools.product(STATES, VISIBILITIES)}


def scope_for(user: Any) -> Scope:
    _, rounds = visible_code("search-code", user)
    return Scope(tuple(rounds))


def found_tokens(text: str) -> set[str]:
    return set(re.findall(r"mark[a-z]+", text)) & set(ALL_TOKENS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_the_comments_and_provisions_the_rules_allow(
        search_world: Any, as_role: Any, role: str) -> None:
    user = as_role(role)
    results = search(user, scope_for(user), parse_query("kiwi"), limit=100)
    expected = {t for t, (s, v) in ALL_TOKENS.items() if may_see(role, s, v)}
    comments = [h for h in results.hits if h.kind == "comment"]
    assert {token(*_state_of(search_world, h.comment)) for h in comments} == expected
    provisions = {h.round.visibility for h in results.hits if h.kind == "provision"}
    assert provisions == {v for v in VISIBILITIES if may_see(role, "published", v)}
    assert results.total == len(expected) + len(provisions)
    snippets = " ".join(str(h.snippet) for h in results.hits)
    assert found_tokens(snippets) == expected


def _state_of(world: Any, comment: Any) -> tuple[str, str]:
    return next(key for key, c in world.comments.items() if c.id == comment.id)


@pytest.mark.parametrize("role", ROLES)
def test_an_invisible_comment_gives_no_result_count_or_suggestion(
        search_world: Any, as_role: Any, role: str) -> None:
    user = as_role(role)
    scope = scope_for(user)
    for word, (state, visibility) in ALL_TOKENS.items():
        results = search(user, scope, parse_query(word))
        assert (results.total == 1) == may_see(role, state, visibility), (role, word)
        if not may_see(role, state, visibility):
            assert results.hits == [] and results.next_offset is None
            # the least frequent word is the invisible one: the suggestion counts the rest
            (hint,) = suggestions(user, scope, parse_query(f"kiwi {word}"))
            assert hint.reason == "fewer_words" and hint.dropped.raw == word
            assert hint.count == search(user, scope, parse_query("kiwi")).total


@pytest.mark.parametrize("role", ROLES)
def test_the_page_and_the_api_show_each_role_what_the_service_does(
        app: Any, client: Any, search_world: Any, role: str) -> None:
    user = search_world.users.get(role)
    expected = {t for t, (s, v) in ALL_TOKENS.items() if may_see(role, s, v)}
    headers = {}
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        headers = {"Authorization": f"Bearer {accounts.create_token(user, 'search')[1]}"}
    page = client.get("/codes/search-code/search", query_string={"q": "kiwi"})
    assert page.status_code == 200
    assert found_tokens(page.get_data(as_text=True)) == expected
    api = client.get("/api/v1/codes/search-code/search", query_string={"q": "kiwi", "limit": 100},
                     headers=headers)  # fmt: skip
    assert api.status_code == 200
    assert found_tokens(api.get_data(as_text=True)) == expected
    assert api.get_json()["total"] == len(api.get_json()["items"])


@pytest.mark.parametrize("role", ROLES)
def test_a_round_the_reader_may_not_see_is_404_as_a_filter(
        client: Any, search_world: Any, role: str) -> None:
    user = search_world.users.get(role)
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
    for number, visibility in enumerate(VISIBILITIES, start=1):
        answer = client.get("/codes/search-code/search", query_string={"q": "kiwi",
                                                                        "round": number})
        assert answer.status_code == (200 if may_see(role, "published", visibility) else 404)
        if answer.status_code == 404:
            assert "Draft " + visibility not in answer.get_data(as_text=True)

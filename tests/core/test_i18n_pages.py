"""A French reader gets the public pages in French: the language of the page, its words, its
dates and numbers (the code's own drafts and comments stay as written)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from app.core.db import db
from tests.diffing.story import Story, story  # noqa: F401  (the fixture)

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
NNBSP = "\u202f"


def french_page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url, headers=FRENCH)
    assert response.status_code == status, url
    text = response.get_data(as_text=True)
    assert '<html lang="fr">' in text
    return text


@pytest.mark.parametrize(("url", "says", "not_says"), [
    ("/codes/demo", ["Rédigé en 3 versions que vous pouvez lire.", "Rechercher dans les projets",
                     "Versions de Code demo"], ["you can read", "Search the drafts"]),
    ("/codes/demo/rounds/3", ["Ce projet est ouvert à vos contributions", "Sommaire",
                              "Ce qui a changé dans Third draft"],
     ["This draft is open", "Contents"]),
    ("/codes/demo/compare?from=1&to=2", ["Ce qui a changé de la version 1 à la version 2",
                                          "Par chapitre", "Comment lire les modifications"],
     ["What changed from", "By chapter", "How to read"]),
    ("/codes/demo/rounds/2/changes", ["Ce qui a changé dans la version 2", "Scindée (2)"],
     ["What changed in round", "Split ("]),
    ("/codes/demo/search?q=documentation",
     ["Rechercher dans Code demo", f"«{NNBSP}documentation{NNBSP}»"],
     ["Search Code demo", "results for"]),
    ("/record", ["Ce que prouve le journal", "Comment le vérifier vous-même"],
     ["What the log proves", "How to check it yourself"]),
    ("/login", ["Adresse électronique", "Mot de passe", "Les comptes sont créés par"],
     ["Accounts are created by"]),
])
def test_a_french_browser_reads_the_public_pages_in_french(
    client: Any, story: Story, url: str, says: list[str], not_says: list[str]  # noqa: F811
) -> None:
    page = french_page(client, url)
    for text in says:
        assert text in page, text
    for text in not_says:
        assert text not in page, text


def test_dates_are_written_the_french_way(client: Any, story: Story) -> None:  # noqa: F811
    round_ = story.rounds[3]
    round_.date = dt.date(2024, 12, 19)
    round_.closes_at = dt.datetime(2031, 1, 15, 22, 59, tzinfo=dt.UTC)
    db.session.commit()
    page = french_page(client, "/codes/demo/rounds/3")
    assert "Daté du" in page and "19 décembre 2024" in page
    assert "ouvert aux contributions jusqu’au" in page and "15 janvier 2031, 22:59 UTC" in page
    english = client.get("/codes/demo/rounds/3", headers=ENGLISH).get_data(as_text=True)
    assert "19 December 2024" in english and "15 January 2031, 22:59 UTC" in english


def test_french_punctuation_has_a_narrow_no_break_space(client: Any, story: Story) -> None:  # noqa: F811
    page = french_page(client, "/codes/demo/search?q=documentation")
    assert f"«{NNBSP}documentation{NNBSP}»" in page
    assert re.search(f"Où chercher{NNBSP}:", page)


def test_error_pages_are_in_french_and_the_api_stays_in_english(client: Any) -> None:
    page = french_page(client, "/codes/no-such-code", status=404)
    assert "Introuvable" in page and "Retour aux codes" in page
    api = client.get("/api/v1/codes/no-such-code/rounds", headers=FRENCH)
    assert api.status_code == 404 and api.get_json()["error"].isascii()


def test_form_labels_and_their_errors_are_in_french(
    client: Any, auth: Any, create_user: Any
) -> None:
    create_user("ana@example.org")
    auth.login("ana@example.org")
    client.set_cookie("plenary_lang", "fr")
    page = client.post("/account", data={"current": "x", "password": "short", "confirm": "short",
                                         "csrf_token": auth.csrf_token("/account")})
    text = page.get_data(as_text=True)
    assert "Changer votre mot de passe" in text and "Mot de passe actuel" in text
    assert "au moins 12 caractères" in text


def test_the_login_prompt_is_in_french(client: Any) -> None:
    response = client.get("/my/notifications", headers=FRENCH)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = french_page(client, response.headers["Location"])
    assert "Veuillez vous connecter pour voir cette page." in page
    assert "Please log in to see that page." not in page


def test_error_pages_say_our_own_description_in_french(client: Any, auth: Any) -> None:
    """Werkzeug's English descriptions ("The method is not allowed…", "The browser (or proxy)
    sent a request…") never reach a page: each status has its own translated message."""
    page = french_page(client, "/language", status=405)
    assert "Méthode non autorisée" in page and "cette façon" in page
    assert "The method is not allowed" not in page
    token = auth.csrf_token()
    response = client.post("/language", data={"language": "xx", "csrf_token": token},
                           headers=FRENCH)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "La requête n’a pas pu être comprise." in page
    assert "The browser (or proxy)" not in page and "could not understand" not in page
    english = client.get("/language", headers=ENGLISH).get_data(as_text=True)
    assert "This address cannot be used that way." in english
    api = client.delete("/api/v1/codes", headers=FRENCH)
    assert api.status_code == 405 and api.get_json()["error"].isascii()


def test_provision_kinds_and_the_history_table_read_in_french(client: Any,
                                                              story: Story) -> None:  # noqa: F811
    page = french_page(client, "/codes/demo/rounds/3/provisions/m-edit")
    assert re.search(r"<dt>Type</dt><dd>mesure</dd>", page)
    # "round" is « version » throughout; the provision's column says « Disposition »
    header = re.search(r'<table class="versions">\s*<thead>(.*?)</thead>', page, re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]*)</th>', header) == [
        "Version", "Disposition", "Changement vers la version suivante"]
    english = client.get("/codes/demo/rounds/3/provisions/m-edit", headers=ENGLISH)
    assert "<dt>Kind</dt><dd>measure</dd>" in english.get_data(as_text=True)
    from app.search.index import index_round

    index_round(story.rounds[3])
    db.session.commit()
    results = french_page(client, "/codes/demo/search?q=documentation")
    assert '<span class="badge">mesure</span>' in results
    assert '<span class="badge">measure</span>' not in results


def test_the_search_title_quotes_the_words_the_french_way(client: Any,
                                                          story: Story) -> None:  # noqa: F811
    page = french_page(client, "/codes/demo/search?q=documentation")
    assert f"<title>«{NNBSP}documentation{NNBSP}» · Rechercher" in page
    assert "“documentation”" not in page

"""A French reader gets the register ("you said, we did"), the feedback at a glance and the list
of codes in French, with French typography; what people wrote (theme titles, answers, names of
rounds) stays as written, and the API stays English."""

from __future__ import annotations

from typing import Any

from tests.diffing import why_story
from tests.diffing.story import story  # noqa: F401  (the fixture `why` builds on)

why = why_story.why
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NNBSP = "\u202f"
REGISTER = "/codes/demo/rounds/2/register"
GLANCE = "/codes/demo/rounds/2/at-a-glance"


def french_page(client: Any, url: str) -> str:
    response = client.get(url, headers=FRENCH)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    return page


def test_the_register_reads_in_french_with_the_chairs_answers_as_written(
    client: Any, why: Any
) -> None:
    page = french_page(client, REGISTER)
    for text in ["Vous avez dit, nous avons fait", f"Réponse{NNBSP}:",
                 f"Modifié en conséquence dans Third draft{NNBSP}:",
                 "Les contributions en un coup d’œil", f"Télécharger{NNBSP}:",
                 "Modifications apparentes de Third draft par rapport à Second draft",
                 f"Par catégorie de parties prenantes{NNBSP}:",
                 "Acceptée", "Non retenue", "commentaires",
                 f"Formulations proposées dans ce thème{NNBSP}: &lt;5 acceptées."]:
        assert text in page, text
    # what the chairs wrote stays as written
    assert "Keep it maintained" in page
    assert "The third draft now asks for complete documentation." in page
    for text in ["You said, we did", "Answer:", "Changed in", "each sent individually",
                 "By stakeholder category", "Not taken up"]:
        assert text not in page, text


def test_the_register_stays_english_for_an_english_reader_and_in_the_api(
    client: Any, why: Any
) -> None:
    page = client.get(REGISTER).get_data(as_text=True)
    assert "You said, we did" in page and "Answer:" in page and "Not taken up" in page
    api = client.get("/api/v1/codes/demo/rounds/2/register", headers=FRENCH)
    assert api.status_code == 200  # the API answers in English whatever the reader's language
    body = api.get_data(as_text=True)
    assert "not_taken_up" in body and "Non retenue" not in body


def test_the_feedback_at_a_glance_reads_in_french(client: Any, why: Any) -> None:
    page = french_page(client, GLANCE)
    for text in ["Les contributions sur Second draft en un coup d’œil",
                 "comment les participants ont réagi à chaque mesure",
                 "Positions par mesure", "L’ensemble de la version",
                 "Thèmes ayant reçu une réponse, les plus importants d’abord",
                 f"Les nombres inférieurs à 5 sont affichés «{NNBSP}&lt;5{NNBSP}»",
                 "Soutien", "Modification"]:
        assert text in page, text
    for text in ["at a glance", "Stances by measure", "The whole round", "Support &lt;5"]:
        assert text not in page, text


def test_the_list_of_codes_reads_in_french(client: Any, why: Any) -> None:
    page = french_page(client, "/")
    assert "Codes en cours de rédaction" in page and "Codes being drafted" not in page


def test_the_chairs_workspace_reads_in_french(
    client: Any, why: Any, create_user: Any, auth: Any
) -> None:
    create_user("chair1@example.org", groups=[("wg1", "chair")])
    # signing in from a French browser: the account takes its language from it
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = FRENCH["Accept-Language"]
    auth.login("chair1@example.org")
    theme = why.run.themes[0]
    run = french_page(client, f"/chair/runs/{why.run.id}")
    for text in ["Les thèmes en un coup d’œil", "Les thèmes en détail", "Acceptée",
                 "Les en-têtes de colonne trient le tableau.", "Keep it maintained"]:
        assert text in run, text
    assert ">Accepted<" not in run and ">Not taken up<" not in run  # the overview's outcomes
    page = french_page(client, f"/chair/runs/{why.run.id}/themes/{theme.id}")
    for text in ["Modifier ce thème", "Fusionner ce thème dans", "Enregistrer la réponse",
                 f"Réponse actuelle{NNBSP}: <strong>Acceptée</strong>", "Partiellement acceptée",
                 ">Non classés</option>"]:
        assert text in page, text
    proposals = french_page(client, "/chair/codes/demo/rounds/2/proposals?show=all")
    for text in ["Formulations proposées dans Second draft", "Statuez sur chaque proposition",
                 "Non retenue", f"<strong>Vérification de reprise{NNBSP}:</strong>"]:
        assert text in proposals, text
    assert "Decide each proposal" not in proposals and "Edit this theme" not in page
    # the chairs see exact counts: one accepted proposal reads in the singular
    register = french_page(client, REGISTER)
    assert f"Formulations proposées dans ce thème{NNBSP}: 1 acceptée." in register


def test_outcome_badges_on_changes_compare_and_provision_pages_read_in_french(
    client: Any, why: Any
) -> None:
    for url in ["/codes/demo/rounds/3/changes", "/codes/demo/compare?from=2&to=3",
                "/codes/demo/rounds/3/provisions/m-edit",
                "/codes/demo/rounds/2/provisions/m-edit"]:
        page = french_page(client, url)
        assert "Acceptée<" in page, url
        for english in [">Accepted<", ">Not taken up<", ">Partly accepted<"]:
            assert english not in page, (url, english)
    english = client.get("/codes/demo/rounds/3/changes").get_data(as_text=True)
    assert ">Accepted<" in english


def test_a_note_rendered_for_an_english_reader_is_not_served_to_a_french_one(
    client: Any, why: Any
) -> None:
    """The notes under each change are memoised per process: the language is in their key."""
    url = "/codes/demo/compare?from=2&to=3"
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Accepted<" in english
    page = french_page(client, url)
    assert "Acceptée<" in page and ">Accepted<" not in page

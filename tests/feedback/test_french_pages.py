"""A French reader comments in French: the provision page with its comment form, the
messages of a refused comment, and My feedback are in French, numbers and dates the French
way; the comments themselves stay as written, and English stays the default."""

from __future__ import annotations

import html as html_lib
import json
import re

from tests.feedback.test_pages import PAGE, form_url

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NNBSP = "\u202f"


def login_from_a_french_browser(client, auth, user) -> None:
    """Sign in as a French reader: the account takes the browser's language at login."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = FRENCH["Accept-Language"]
    auth.login(user.email)


def french(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers=FRENCH)
    assert response.status_code == status, url
    text = html_lib.unescape(response.get_data(as_text=True))
    assert '<html lang="fr">' in text
    return text


def test_the_provision_page_and_its_comment_form_are_in_french(
    client, auth, provision, participant, comment_on
):
    comment_on(provision, participant, body="Fourteen days is too short for a large model.",
               quote={"exact": "fourteen days"}, proposed_text="thirty days")
    login_from_a_french_browser(client, auth, participant)
    page = french(client, PAGE)
    for text in ["Groupe de travail", "Cette disposition dans chaque version",
                 "Contributions", "Votre position", "Soutien", "Opposition",
                 "Modification (proposer une formulation)", "Remarque neutre",
                 f"Votre commentaire (jusqu’à 10{NNBSP}000 caractères)",
                 f"Formulation proposée, facultative (jusqu’à 5{NNBSP}000 caractères)",
                 "Publier ce commentaire avec mon nom", "Envoyer le commentaire",
                 "Commenter ce passage", "Passage cité", "Formulation proposée",
                 "Modifier", "Retirer…", "Répondre", "Envoyer la réponse", "non publié",
                 "sélectionnez-le dans le texte ci-dessus"]:
        assert text in page, text
    assert re.search(r'<span class="badge stance stance-amend">modification</span>', page)
    assert re.search(r'<span class="badge status status-open">ouvert</span>', page)
    # what the participant wrote stays as written; no English of the interface is left
    assert "Fourteen days is too short for a large model." in page
    for english in ["Your stance", "Send comment", "Comment on this passage", "Proposed wording",
                    "not published", ">Edit<", "This provision in each round"]:
        assert english not in page, english
    # feedback.js is given its messages in French, a count's three forms included
    found = re.search(r"data-messages='([^']*)'", page)
    assert found
    messages = json.loads(found.group(1))
    assert messages["over"] == {"zero": "Vous avez {n} caractère de trop",
                                "one": "Vous avez {n} caractère de trop",
                                "other": "Vous avez {n} caractères de trop"}
    assert messages["limit"] == "Vous pouvez saisir jusqu’à {n} caractères."


def test_a_refused_comment_says_why_in_french_with_french_numbers(
    client, auth, provision, participant
):
    login_from_a_french_browser(client, auth, participant)
    data = {"csrf_token": auth.csrf_token(form_url(provision)), "stance": "amend",
            "body": "a" * 11_200}
    response = client.post(form_url(provision), data=data, headers=FRENCH)
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Votre commentaire n’a pas été envoyé" in page
    assert (f"Votre commentaire compte 11{NNBSP}200 caractères{NNBSP}: 10{NNBSP}000 au plus sont "
            f"acceptés. Retirez-en 1{NNBSP}200 caractères.") in page
    empty = client.post(form_url(provision), headers=FRENCH, data={
        "csrf_token": auth.csrf_token(form_url(provision)), "stance": "amend", "body": ""})
    assert "Rédigez un commentaire." in empty.get_data(as_text=True)


def test_a_saved_comment_is_thanked_in_french(client, auth, provision, participant):
    login_from_a_french_browser(client, auth, participant)
    data = {"csrf_token": auth.csrf_token(form_url(provision)), "stance": "support",
            "body": "Agreed."}
    response = client.post(form_url(provision), data=data, headers=FRENCH, follow_redirects=True)
    page = html_lib.unescape(response.get_data(as_text=True))
    assert f"Merci{NNBSP}: votre commentaire est enregistré." in page
    assert '<span class="badge stance stance-support">soutien</span>' in page


def test_my_feedback_is_in_french(client, auth, provision, participant, comment_on):
    comment_on(provision, participant, body="Keep the fourteen days.", stance="support",
               publish_consent=True)
    login_from_a_french_browser(client, auth, participant)
    page = french(client, "/my/feedback")
    for text in ["<title>Mes contributions", "<h1>Mes contributions</h1>",
                 "Tout ce que vous avez écrit, dans chaque version",
                 "Vos commentaires, du plus récent au plus ancien", ">soutien<", ">ouvert<",
                 "publié avec votre nom", "Reçu", "Modifier", "Keep the fourteen days."]:
        assert text in page, text
    assert re.search(r"envoyé le \d{1,2} [a-zéû]+\.? \d{4}", page)
    for english in ["My feedback<", "Everything you have written", "published with your name",
                    "Receipt<", " sent "]:
        assert english not in page, english


def test_english_stays_the_default_of_the_feedback_pages(client, auth, provision, participant):
    auth.login(participant.email)
    page = client.get(PAGE).get_data(as_text=True)
    assert '<html lang="en">' in page and "Your stance" in page and "Send comment" in page
    assert "Your comment (up to 10,000 characters)" in page
    found = re.search(r"data-messages='([^']*)'", page)
    over = json.loads(found.group(1))["over"] if found else {}
    assert over["other"] == "You have {n} characters too many"


def test_my_feedback_says_published_only_of_live_comments(
    client, auth, provision, participant, comment_on, secretariat
):
    from app.core.db import db
    from app.feedback.services import hide_comment, withdraw_comment

    comment_on(provision, participant, body="Still standing.", publish_consent=True)
    gone = comment_on(provision, participant, body="Taken back.", publish_consent=True)
    hidden = comment_on(provision, participant, body="Hidden one.", publish_consent=True)
    withdraw_comment(gone)
    hide_comment(hidden, "Off topic.", secretariat)
    db.session.commit()
    login_from_a_french_browser(client, auth, participant)
    page = french(client, "/my/feedback")
    badges = {body: re.search(rf'id="mine-{c.id}".*?<p class="badges">(.*?)</p>', page,
                              re.S).group(1)
              for body, c in [("live", None), ("gone", gone), ("hidden", hidden)] if c}
    assert "publié avec votre nom" not in badges["gone"] and "retiré" in badges["gone"]
    assert "publié avec votre nom" not in badges["hidden"] and "masqué" in badges["hidden"]
    assert page.count("publié avec votre nom") == 1  # the live comment only

"""A synthesis run's stored message, and the workspace's refusals with values, in the reader's
language; the stored message itself (and the command line) stays English."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.core.db import db
from app.synthesis import figures, tasks
from app.synthesis.models import SynthesisRun
from app.synthesis.run_messages import FIXED, run_message
from app.synthesis.services import run_synthesis

NNBSP = "\u202f"
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def chair(create_user: Any, feedback: Any, auth: Any, client: Any) -> Any:
    user = create_user("chair1@example.org", groups=[("wg1", "chair")])
    auth.login(user.email)
    client.set_cookie("plenary_lang", "fr")
    return user


def _page(client: Any, url: str) -> str:
    text = html.unescape(client.get(url).get_data(as_text=True))
    assert '<html lang="fr">' in text
    return re.sub(r"[ \t\n]+", " ", text)


def _summary(comments: int, themes: int, unassigned: int, campaigns: list[int]) -> str:
    return figures.summary_line(comments, themes, unassigned, len(campaigns), sum(campaigns))


def test_the_run_page_gives_the_stored_summary_in_french(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    assert re.fullmatch(r"\d+ comments in \d+ themes?, .*\(a campaign counts as one\)\.",
                        run.message)
    page = _page(client, f"/chair/runs/{run.id}")
    assert "comments in" not in page and "(une campagne compte pour une voix)." in page
    assert f"{run.comment_count} commentaires{NNBSP}: " in page


@pytest.mark.parametrize(("stored", "french"), [
    (_summary(16, 3, 2, [3]),
     f"16 commentaires{NNBSP}: 3 thèmes, 2 non classés{NNBSP}; 1 campagne, 14 voix "
     "indépendantes (une campagne compte pour une voix)."),
    (_summary(2, 1, 1, []),
     f"2 commentaires{NNBSP}: 1 thème, 1 non classé{NNBSP}; 0 campagne, 2 voix "
     "indépendantes (une campagne compte pour une voix)."),
    ("There are no comments in this scope yet.",
     "Ce périmètre ne compte encore aucun commentaire."),
    (tasks.ABANDONED_MESSAGE, "Le processus de traitement s’est arrêté avant la fin de cette "
                              f"synthèse{NNBSP}; relancez-la."),
    ("The synthesis failed: boom", f"La synthèse a échoué{NNBSP}: boom"),
    ("A message of a shape not known here.", "A message of a shape not known here."),
])
def test_stored_run_messages_old_and_new_are_written_in_french(
    app: Any, stored: str, french: str
) -> None:
    with app.test_request_context(headers=FRENCH):
        assert run_message(stored) == french
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = run_message(stored)
    assert english == stored


def test_every_fixed_message_the_pipeline_stores_is_known_to_the_page() -> None:
    assert tasks.ABANDONED_MESSAGE in FIXED
    assert _summary(1, 1, 0, []) in FIXED  # "Only one comment in this scope: ..."


def test_a_failed_run_shows_its_message_in_french(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    run.status, run.message = "failed", tasks.ABANDONED_MESSAGE
    db.session.commit()
    page = _page(client, f"/chair/runs/{run.id}")
    assert "relancez-la." in page and "The worker stopped" not in page


def test_a_refusal_with_a_value_is_flashed_in_french(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    url = f"/chair/runs/{run.id}/codebook"
    for _ in range(2):
        response = client.post(url, data={"csrf_token": auth.csrf_token(url),
                                          "title": "Six-month cycle", "description": ""})
    assert response.status_code == 409  # refused, shown again with the message
    page = re.sub(r"[ \t\n]+", " ", html.unescape(response.get_data(as_text=True)))
    assert "La grille de codage a déjà un thème intitulé 'Six-month cycle'." in page
    assert "already has a theme" not in page
    assert db.session.query(SynthesisRun).count() == 1

"""The chairs' theme forms never cut what is typed or pasted: no browser maxlength, a
character count (feedback.js) on the note and the answer, and an over-long title, note or
reason is refused by the server with the field's error and the text kept (400), in the
reader's language."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.synthesis.workspace import NOTE_LIMIT, REASON_LIMIT, TITLE_LIMIT
from tests.diffing import why_story
from tests.diffing.story import story  # noqa: F401  (the fixture `why` builds on)

why = why_story.why
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture
def theme_path(client: Any, why: Any, create_user: Any, auth: Any) -> tuple[Any, str]:
    create_user("chair1@example.org", groups=[("wg1", "chair")])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = FRENCH["Accept-Language"]
    auth.login("chair1@example.org")
    theme = why.run.themes[0]
    return theme, f"/chair/runs/{why.run.id}/themes/{theme.id}"


def test_the_boxes_have_no_maxlength_and_count_characters(client: Any,
                                                          theme_path: Any) -> None:
    _, path = theme_path
    page = client.get(path).get_data(as_text=True)
    assert " maxlength=" not in page
    assert f'data-maxlength="{NOTE_LIMIT}"' in page and f'data-maxlength="{REASON_LIMIT}"' in page
    script = re.search(r'<script src="[^"]*feedback\.js"[^>]*data-messages=\'([^\']*)\'', page)
    assert script and "\"close\": \"Fermer\"" in script.group(1)


@pytest.mark.parametrize(("action", "name", "limit", "says"), [
    ("rename", "rename-title", TITLE_LIMIT, "Le titre compte"),
    ("note", "note-note", NOTE_LIMIT, "La note compte"),
    ("respond", "respond-reason", REASON_LIMIT, "Le motif compte"),
])
def test_an_over_long_text_is_refused_with_the_text_kept(
    client: Any, auth: Any, theme_path: Any, action: str, name: str, limit: int, says: str
) -> None:
    theme, path = theme_path
    before = (theme.identity.title, theme.identity.note)
    typed = "Wording the chairs typed " + "x" * limit
    data = {"csrf_token": auth.csrf_token(path), name: typed, "respond-outcome": "accepted"}
    response = client.post(f"/chair/themes/{theme.id}/{action}", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert typed in page  # what was typed is shown again
    assert says in page and "Votre texte est conservé ici." in page
    assert f'aria-describedby="{name}-error"' in page or f"{name}-error" in page
    assert (theme.identity.title, theme.identity.note) == before  # nothing saved


def test_the_provision_filter_takes_its_words_from_the_page(client: Any,
                                                            theme_path: Any) -> None:
    """synthesis.js holds no English: its label and count come in French from the page."""
    _, path = theme_path
    page = client.get(path).get_data(as_text=True)
    script = re.search(r'<script src="[^"]*synthesis\.js"[^>]*data-messages=\'([^\']*)\'', page)
    assert script, "synthesis.js gets its messages"
    words = json.loads(html.unescape(script.group(1)))
    assert words == {"find": "Trouver une disposition",
                     "shown": "Dispositions affichées\u202f: {shown} sur {total} "
                              "(les cochées toujours)"}
    source = (Path(__file__).parents[2] / "app/static/synthesis.js").read_text()
    assert "Find a provision" not in source and "provisions shown" not in source


def test_a_relevance_toggle_other_than_0_or_1_is_refused_with_a_message(
    client: Any, auth: Any, theme_path: Any
) -> None:
    theme, path = theme_path
    response = client.post(f"/chair/themes/{theme.id}/relevance",
                           data={"csrf_token": auth.csrf_token(path), "not_relevant": "maybe"})
    assert response.status_code == 400
    assert "Le formulaire n’a pas été compris" in response.get_data(as_text=True)
    assert theme.identity.not_relevant is False


def test_a_refused_codebook_title_or_unknown_provision_is_400_with_its_error(
    client: Any, auth: Any, theme_path: Any, why: Any
) -> None:
    theme, path = theme_path
    url = f"/chair/runs/{why.run.id}/codebook"
    typed = "Ein Titel " + "x" * TITLE_LIMIT
    refused = client.post(url, data={"csrf_token": auth.csrf_token(url), "title": typed})
    assert refused.status_code == 400 and typed in refused.get_data(as_text=True)
    unknown = client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "Done.", "respond-provisions": ["no-such-provision"]})
    assert unknown.status_code == 400
    assert 'id="respond-provisions-error"' in unknown.get_data(as_text=True)

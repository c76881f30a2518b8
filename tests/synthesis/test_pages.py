"""The chair workspace and the public register, through the web client."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core.db import db
from app.synthesis import workspace
from app.synthesis.models import SynthesisRun
from app.synthesis.services import create_run, run_synthesis

ROUND_PAGE = "/chair/codes/demo-code/rounds/1/synthesis"


@pytest.fixture
def chair(create_user: Any, feedback: Any, auth: Any) -> Any:
    user = create_user("chair1@example.org", groups=[("wg1", "chair")])
    auth.login(user.email)
    return user


def _run(feedback: Any, **scope: Any) -> SynthesisRun:
    run = run_synthesis(feedback["round"], **(scope or {"provision": "documentation"}))
    db.session.commit()
    return run


@pytest.mark.parametrize("path", ["/chair/synthesis", ROUND_PAGE])
def test_participants_and_the_public_get_404_in_the_workspace(
    client: Any, auth: Any, create_user: Any, feedback: Any, path: str
) -> None:
    assert client.get(path).status_code == 404
    create_user("member@example.org", groups=[("wg1", "member")])
    auth.login("member@example.org")
    assert client.get(path).status_code == 404


def test_a_participant_gets_404_on_a_run_page(client: Any, auth: Any, create_user: Any,
                                             feedback: Any) -> None:
    run = _run(feedback)
    create_user("member@example.org", groups=[("wg1", "member")])
    auth.login("member@example.org")
    assert client.get(f"/chair/runs/{run.id}").status_code == 404


def test_a_chair_sees_only_their_groups_scopes(client: Any, chair: Any) -> None:
    page = client.get(ROUND_PAGE).get_data(as_text=True)
    assert "Measure 1.1: Keeping documentation up to date" in page
    assert "Working group: Working group wg1" in page
    assert "Safety framework" not in page and "The whole round" not in page


def test_a_chair_of_wg1_cannot_open_or_run_wg2s_synthesis(client: Any, chair: Any,
                                                          feedback: Any, auth: Any) -> None:
    run = _run(feedback, provision="safety")
    assert client.get(f"/chair/runs/{run.id}").status_code == 404
    theme = run.themes[0]
    assert client.get(f"/chair/runs/{run.id}/themes/{theme.id}").status_code == 404
    token = auth.csrf_token(ROUND_PAGE)
    response = client.post(f"{ROUND_PAGE}/run", data={"csrf_token": token, "scope": "group:wg2"})
    assert response.status_code == 404
    response = client.post(f"/chair/themes/{theme.id}/rename",
                           data={"csrf_token": token, "rename-title": "Mine now"})
    assert response.status_code == 404


def test_running_a_synthesis_from_the_page_queues_and_runs_the_task(
    client: Any, chair: Any, auth: Any
) -> None:
    token = auth.csrf_token(ROUND_PAGE)
    response = client.post(f"{ROUND_PAGE}/run",
                           data={"csrf_token": token, "scope": "provision:documentation"})
    assert response.status_code == 302
    run = db.session.get(SynthesisRun, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert run.status == "done"
    assert run.progress_done == run.progress_total == 23
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"22 comments in \d+ themes", page)
    assert "Campaign of 4 near-identical comments" in page
    assert "http-equiv" not in page


def test_a_queued_run_shows_its_progress_and_refreshes(client: Any, chair: Any,
                                                       feedback: Any) -> None:
    run = create_run(feedback["round"], provision="documentation")
    run.progress_done, run.progress_total = 5, 23
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="5"' in page and "5 of 23 steps" in page


def test_a_chair_reads_a_theme_and_merges_it(client: Any, chair: Any, feedback: Any,
                                             auth: Any) -> None:
    run = _run(feedback)
    source, target = run.themes[1], run.themes[0]
    before = len(run.themes)
    path = f"/chair/runs/{run.id}/themes/{source.id}"
    page = client.get(path).get_data(as_text=True)
    assert all(m.comment.body.split(";")[0][:40] in page for m in source.members)
    token = auth.csrf_token(path)
    asked = client.post(f"/chair/themes/{source.id}/merge",
                        data={"csrf_token": token, "merge-target": target.id})
    assert asked.status_code == 200  # the confirmation step: nothing merged yet
    assert "Yes, merge" in asked.get_data(as_text=True)
    db.session.refresh(run)
    assert len(run.themes) == before
    response = client.post(f"/chair/themes/{source.id}/merge", data={
        "csrf_token": token, "merge-target": target.id, "merge-confirm": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/themes/{target.id}")
    db.session.refresh(run)
    assert len(run.themes) == before - 1


def test_a_chair_answers_a_theme_with_provisions_of_the_next_round(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = run.themes[0]
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    response = client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "The update cycle is now six months.",
        "respond-provisions": ["documentation"], "respond-published": "y"})
    assert response.status_code == 302
    db.session.refresh(theme.identity)
    assert theme.identity.response.outcome == "accepted"
    assert [p.provision_key for p in theme.identity.response.provisions] == ["documentation"]


def test_the_chairs_nav_has_synthesis_and_a_participants_does_not(
    client: Any, chair: Any, auth: Any, create_user: Any
) -> None:
    assert ">Synthesis</a>" in client.get("/").get_data(as_text=True)
    auth.logout()
    create_user("p@example.org")
    auth.login("p@example.org")
    assert ">Synthesis</a>" not in client.get("/").get_data(as_text=True)


def test_the_register_shows_only_answered_published_themes_without_comment_text(
    client: Any, feedback: Any
) -> None:
    run = _run(feedback)
    answered, unpublished = run.themes[0], run.themes[1]
    workspace.rename_theme(answered, "Update cycle", actor=None)
    workspace.respond(answered, "accepted", "Six-month cycle adopted.", ["documentation"],
                      actor=None)
    workspace.respond(unpublished, "not_taken_up", "Internal only.", [], published=False,
                      actor=None)
    db.session.commit()
    # The round is plenary: the public cannot see it at all.
    assert client.get("/codes/demo-code/rounds/1/register").status_code == 404
    feedback["round"].visibility = "public"
    db.session.commit()
    page = client.get("/codes/demo-code/rounds/1/register").get_data(as_text=True)
    assert "Update cycle" in page
    assert "Measure 1.1: Documentation" not in page  # round 2 is not public yet
    feedback["round2"].visibility = "public"
    db.session.commit()
    page = client.get("/codes/demo-code/rounds/1/register").get_data(as_text=True)
    assert "Update cycle" in page and "Six-month cycle adopted." in page
    assert "Internal only." not in page and unpublished.display_label not in page
    assert (f"{answered.size} comments" if answered.size >= 5 else "&lt;5 comments") in page
    assert "Measure 1.1: Documentation" in page
    assert not any(m.comment.body[:30] in page for m in run.members)
    assert "Alex Example" not in page and "@example.org" not in page


def test_the_register_waits_for_the_window_to_close(client: Any, create_round: Any) -> None:
    create_round(1, window="open")
    page = client.get("/codes/demo-code/rounds/1/register").get_data(as_text=True)
    assert "published once the consultation on this round has closed" in page


def test_pages_escape_comment_text(client: Any, chair: Any, feedback: Any,
                                   add_comments: Any) -> None:
    add_comments(feedback["doc"], ["<script>alert(1)</script> documentation six months"])
    run = _run(feedback)
    pages = [client.get(f"/chair/runs/{run.id}").get_data(as_text=True)]
    pages += [client.get(f"/chair/runs/{run.id}/themes/{t.id}").get_data(as_text=True)
              for t in run.themes]
    assert not any("<script>alert" in p for p in pages)
    assert any("&lt;script&gt;alert" in p for p in pages)
    assert not any(re.search(r"\sstyle=", p) for p in pages)

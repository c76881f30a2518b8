"""The chair workspace and the public register, through the web client."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db, utcnow
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
    # The confirmation step is a page of its own (GET): nothing merged yet.
    question = f"{path}/confirm/merge?target={target.id}"
    assert asked.status_code == 303 and asked.headers["Location"] == question
    assert "Yes, merge" in client.get(question).get_data(as_text=True)
    db.session.refresh(run)
    assert len(run.themes) == before
    response = client.post(f"/chair/themes/{source.id}/merge", data={
        "csrf_token": token, "merge-target": target.id, "merge-confirm": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/themes/{target.id}")
    db.session.refresh(run)
    assert len(run.themes) == before - 1
    # Back to the question after the merge: the theme is gone, and the chair is told so on the
    # run's themes; no form is sent again.
    back = client.get(question)
    assert back.status_code == 302 and back.headers["Location"] == f"/chair/runs/{run.id}"
    assert "no longer there" in _flash(client, back)
    db.session.refresh(run)
    assert len(run.themes) == before - 1


def test_a_merge_question_for_a_theme_of_another_run_or_itself_is_not_asked(
    client: Any, chair: Any, feedback: Any
) -> None:
    run, other = _run(feedback), _run(feedback, group="wg1")
    theme = run.themes[0]
    base = f"/chair/runs/{run.id}/themes/{theme.id}/confirm/merge"
    for target in (theme.id, other.themes[0].id, 0, "x"):
        refused = client.get(f"{base}?target={target}")
        assert refused.status_code == 400 and "Yes, merge" not in refused.get_data(as_text=True)
    assert client.get(f"/chair/runs/{other.id}/themes/{theme.id}/confirm/merge").status_code \
        == 404
    assert client.get(f"/chair/runs/{run.id}/themes/{theme.id}/confirm/split").status_code \
        == 404


def test_a_chair_answers_a_theme_with_provisions_of_the_next_round(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = run.themes[0]
    feedback["round"].opens_at = utcnow() - dt.timedelta(days=1)  # open: the register is not
    feedback["round"].closes_at = utcnow() + dt.timedelta(days=1)  # public yet
    db.session.commit()
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    response = client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "The update cycle is now six months.",
        "respond-provisions": ["documentation"], "respond-published": "y"})
    # its comments are private: the chair is told how the register names it, and why
    told = _flash(client, response)
    assert f"The public register names it “Theme {theme.identity_id}”" in told
    assert "appears on the public register once the consultation has closed" in told
    db.session.refresh(theme.identity)
    assert theme.identity.response.outcome == "accepted"
    assert [p.provision_key for p in theme.identity.response.provisions] == ["documentation"]
    # The published answer's form keeps it published (no box to untick) and saves again with
    # its provision still ticked.
    page = client.get(path).get_data(as_text=True)
    assert 'name="respond-published" value="y"' in page and "stays there" in page
    feedback["round"].closes_at = utcnow() - dt.timedelta(hours=1)  # closed: it is public now
    db.session.commit()
    response = client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "The update cycle is now six months, from 2027.",
        "respond-provisions": ["documentation"], "respond-published": "y"})
    assert "it is on the public register." in _flash(client, response)
    db.session.refresh(theme.identity.response)
    assert theme.identity.response.reason.endswith("from 2027.")
    assert [p.provision_key for p in theme.identity.response.provisions] == ["documentation"]
    # The same answer sent again changes nothing and says so (its date stays).
    answered_at = theme.identity.response.responded_at
    again = client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "  The update cycle is now six months, from 2027. ",
        "respond-provisions": ["documentation"], "respond-published": "y"})
    assert "Nothing to save: the response already reads as sent." in _flash(client, again)
    db.session.refresh(theme.identity.response)
    assert theme.identity.response.responded_at == answered_at


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


# The workspace at a glance (issue 12, point 5).


def _flash(client: Any, response: Any) -> str:
    """The page a redirect leads to, and its flashed messages."""
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.findall(r'<p class="flash (\w+)">(.*?)</p>', page, re.S)
    assert found, "no message after the action"
    return " ".join(f"{category}: {html.unescape(text)}" for category, text in found)


def _overview_titles(page: str) -> list[str]:
    table = page.split('<table class="overview-table">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="col-title"><a href="[^"]+">(.*?)</a></th>', table)


def test_the_run_page_opens_with_an_accessible_overview_of_every_theme(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    page = client.get(f"/chair/runs/{run.id}").get_data(as_text=True)
    assert page.index("Themes at a glance") < page.index("Themes in detail")
    assert '<caption id="overview-caption">' in page
    assert page.count('<th scope="col"') >= 6
    assert re.search(r'<th scope="col" class="col-size" aria-sort="descending">', page)
    assert page.count("aria-sort=") == 1
    titles = _overview_titles(page)
    assert len(titles) == len(run.themes)
    sizes = [t.size for t in sorted(run.themes, key=lambda t: -t.size)]
    assert [t.size for t in run.themes if t.display_label in titles] == sizes
    camp = next(t for t in run.themes if any(
        (m.comment.external_id or "").startswith("camp") for m in t.members))
    assert re.search(rf"{camp.size - (camp.independent_count - camp.campaign_count)} "
                     r'<span class="muted">in 1 campaign</span>', page)
    assert 'class="stance-bar"' in page and "Not yet" in page


def test_the_overview_sorts_by_any_column_from_the_query_string(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    page = client.get(f"/chair/runs/{run.id}?sort=title&order=asc").get_data(as_text=True)
    titles = _overview_titles(page)
    assert titles == sorted(titles, key=str.casefold)
    assert 'class="col-title" aria-sort="ascending"' in page
    # The header of the sorted column offers the other order; the others their natural one.
    assert "sort=title&amp;order=desc" in page and "sort=size&amp;order=desc" in page
    for column in ("size", "stance", "split", "campaigns", "answered"):
        response = client.get(f"/chair/runs/{run.id}?sort={column}&order=asc")
        assert response.status_code == 200
        assert len(_overview_titles(response.get_data(as_text=True))) == len(run.themes)
    odd = client.get(f"/chair/runs/{run.id}?sort=<x>&order=sideways&show=nothing")
    assert odd.status_code == 200 and 'class="col-size" aria-sort="descending"' in odd.get_data(
        as_text=True)


def test_the_overview_filters_unanswered_and_over_represented_themes(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    answered = run.themes[0]
    workspace.respond(answered, "accepted", "Adopted.", [], actor=None)
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}?show=unanswered").get_data(as_text=True)
    titles = _overview_titles(page)
    assert answered.display_label not in titles and len(titles) == len(run.themes) - 1
    assert '<span aria-current="true">Unanswered' in page
    page = client.get(f"/chair/runs/{run.id}?show=over").get_data(as_text=True)
    over = [t.display_label for t in run.themes if t.over_represented]
    assert over, "the fixture has a theme of one category"
    assert sorted(_overview_titles(page)) == sorted(over)
    assert "over-represented</span>" in page


def test_a_campaign_is_shown_once_with_what_senders_added(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    theme = next(t for t in run.themes if any(
        (m.comment.external_id or "").startswith("camp") for m in t.members))
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    assert "Campaign: 4 near-identical letters" in page
    assert page.count("We ask the chairs to protect creators") == 1
    assert "<li>Our members agree strongly.</li>" in page
    letters = 4
    assert page.count('<form method="post" action="/chair/themes/') - page.count(
        'name="campaign"') == (theme.size - letters) + 6  # one per other comment, 6 tools
    assert page.count('name="campaign" value="1"') == 1


def test_moving_a_campaign_moves_all_its_letters(client: Any, chair: Any, feedback: Any,
                                                  auth: Any) -> None:
    run = _run(feedback)
    theme = next(t for t in run.themes if any(
        (m.comment.external_id or "").startswith("camp") for m in t.members))
    other = next(t for t in run.themes if t.id != theme.id)
    letter = next(m.comment_id for m in theme.members
                  if (m.comment.external_id or "").startswith("camp"))
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    response = client.post(f"/chair/themes/{theme.id}/comments/{letter}/move", data={
        "csrf_token": auth.csrf_token(path), "target": other.id, "campaign": "1"})
    assert "Saved: the campaign's 4 letters were moved to" in _flash(client, response)
    moved = {m.comment.external_id for m in other.members}
    assert sum(1 for name in moved if (name or "").startswith("camp")) == 4


def test_the_rename_box_holds_the_current_title(client: Any, chair: Any, feedback: Any,
                                                auth: Any) -> None:
    run = _run(feedback)
    theme = run.themes[0]
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    page = client.get(path).get_data(as_text=True)
    box = re.search(r'<input[^>]*name="rename-title"[^>]*>', page).group(0)
    assert f'value="{theme.label}"' in box
    token = auth.csrf_token(path)
    unchanged = client.post(f"/chair/themes/{theme.id}/rename",
                            data={"csrf_token": token, "rename-title": theme.label})
    assert "Nothing to save" in _flash(client, unchanged)
    assert theme.identity.title is None  # the generated label is not frozen by a no-op
    emptied = client.post(f"/chair/themes/{theme.id}/rename",
                          data={"csrf_token": token, "rename-title": "  "})
    assert "Nothing to save" in _flash(client, emptied)  # it uses its generated label already
    renamed = client.post(f"/chair/themes/{theme.id}/rename",
                          data={"csrf_token": token, "rename-title": "Six-month cycle"})
    assert f"Saved: “{theme.label}” is now called “Six-month cycle”." in _flash(client, renamed)
    box = re.search(r'<input[^>]*name="rename-title"[^>]*>', client.get(path).get_data(
        as_text=True)).group(0)
    assert 'value="Six-month cycle"' in box


def test_not_relevant_asks_for_confirmation_and_relevant_again_does_not(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = run.themes[0]
    token = auth.csrf_token(f"/chair/runs/{run.id}/themes/{theme.id}")
    url = f"/chair/themes/{theme.id}/relevance"
    asked = client.post(url, data={"csrf_token": token, "not_relevant": "1"})
    question = f"/chair/runs/{run.id}/themes/{theme.id}/confirm/not-relevant"
    assert asked.status_code == 303 and asked.headers["Location"] == question
    text = client.get(question).get_data(as_text=True)
    assert "Mark “" in text and "Yes, mark as not relevant" in text
    assert 'name="confirm" value="1"' in text and "Cancel, go back to the theme" in text
    db.session.refresh(theme.identity)
    assert theme.identity.not_relevant is False
    done = client.post(url, data={"csrf_token": token, "not_relevant": "1", "confirm": "1"})
    assert "is marked not relevant" in _flash(client, done)
    db.session.refresh(theme.identity)
    assert theme.identity.not_relevant is True
    back = client.get(question)  # back after marking: the theme's page, not the question again
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/themes/{theme.id}")
    undone = client.post(url, data={"csrf_token": token, "not_relevant": "0"})
    assert "is relevant again" in _flash(client, undone)


def test_the_confirmations_say_when_a_published_answer_is_concerned(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    answered, other = run.themes[0], run.themes[1]
    token = auth.csrf_token(f"/chair/runs/{run.id}/themes/{other.id}")
    relevance = f"/chair/themes/{answered.id}/relevance"
    plain = client.post(relevance, data={"csrf_token": token, "not_relevant": "1"},
                        follow_redirects=True)
    assert "published answer" not in plain.get_data(as_text=True)
    workspace.respond(answered, "accepted", "Taken up.", [], actor=None)
    db.session.commit()
    asked = client.post(relevance, data={"csrf_token": token, "not_relevant": "1"},
                        follow_redirects=True)
    assert "Its published answer stays on the public register." in asked.get_data(as_text=True)
    into = client.post(f"/chair/themes/{other.id}/merge",
                       data={"csrf_token": token, "merge-target": answered.id},
                       follow_redirects=True)
    assert "still fits the comments it gains" in into.get_data(as_text=True)
    away = client.post(f"/chair/themes/{answered.id}/merge",
                       data={"csrf_token": token, "merge-target": other.id},
                       follow_redirects=True)
    assert "stays on the public register, as merged into" in away.get_data(as_text=True)


def test_a_move_or_merge_naming_a_theme_gone_says_so_and_a_move_in_place_saves_nothing(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme, other = run.themes[0], run.themes[1]
    comment = theme.members[0].comment_id
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    token = auth.csrf_token(path)
    gone = other.id + 1000  # a theme of a page left open while the run changed
    for url, data in ((f"/chair/themes/{theme.id}/comments/{comment}/move", {"target": gone}),
                      (f"/chair/themes/{theme.id}/merge", {"merge-target": gone})):
        refused = client.post(url, data={"csrf_token": token, **data})
        # Told on the theme's page after a redirect: going back sends no form again.
        assert refused.headers["Location"] == path
        assert "Nothing was changed" in _flash(client, refused)
    elsewhere = client.post(f"/chair/themes/{other.id}/comments/{comment}/move",
                            data={"csrf_token": token, "target": other.id})
    # the comment is in `theme`, not in `other`
    assert "no longer in this theme" in _flash(client, elsewhere)
    assert comment in {m.comment_id for m in theme.members}
    merged_away = other.id  # the page of a theme merged since it was opened
    workspace.merge_themes(other, theme, actor=None)
    db.session.commit()
    stale = client.post(f"/chair/themes/{merged_away}/rename",
                        data={"csrf_token": token, "rename-title": "Kept"})
    assert stale.status_code == 404
    assert "merged into another theme" in html.unescape(stale.get_data(as_text=True))
    typed = "Our answer, typed while another chair merged the theme away."
    lost = client.post(f"/chair/themes/{merged_away}/respond", data={
        "csrf_token": token, "respond-outcome": "accepted", "respond-reason": typed,
        "password": "a secret phrase typed here"})
    page = html.unescape(lost.get_data(as_text=True))
    assert lost.status_code == 404 and "What you typed" in page
    assert typed in page and "a secret phrase" not in page  # shown back, never a password
    opened = client.get(f"/chair/runs/{run.id}/themes/{merged_away}")  # a link kept since
    assert opened.status_code == 302 and opened.location.endswith(f"/chair/runs/{run.id}")
    assert "no longer there" in _flash(client, opened)
    in_place = client.post(f"/chair/themes/{theme.id}/comments/{comment}/move",
                           data={"csrf_token": token, "target": theme.id})
    assert "Nothing to move" in _flash(client, in_place)
    db.session.refresh(theme)
    member = next(m for m in theme.members if m.comment_id == comment)
    assert member.moved is False


def test_every_edit_says_what_was_saved(client: Any, chair: Any, feedback: Any,
                                         auth: Any) -> None:
    run = _run(feedback)
    first, second = run.themes[0], run.themes[1]
    token = auth.csrf_token(f"/chair/runs/{run.id}/themes/{first.id}")
    note = client.post(f"/chair/themes/{first.id}/note",
                       data={"csrf_token": token, "note-note": "Ask the SMEs."})
    assert "info: Saved: the note for the chairs." in _flash(client, note)
    comment = second.members[0].comment
    moved = client.post(f"/chair/themes/{second.id}/comments/{comment.id}/move",
                        data={"csrf_token": token, "target": first.id})
    assert f"Saved: comment {comment.name} was moved to “{first.display_label}”." in _flash(
        client, moved)
    split = client.post(f"/chair/themes/{first.id}/split", data={"csrf_token": token})
    assert f"Saved: “{first.display_label}” was split in two" in _flash(client, split)
    answered = client.post(f"/chair/themes/{first.id}/respond", data={
        "csrf_token": token, "respond-outcome": "partly_accepted",
        "respond-reason": "In part.", "respond-provisions": ["sme-forms"]})
    assert ("Saved: the response “Partly accepted” to" in (message := _flash(client, answered))
            and "linked to Measure 1.2: Simplified forms; it is not published." in message)
    source, target = run.themes[-1], run.themes[0]
    label = source.display_label
    merged = client.post(f"/chair/themes/{source.id}/merge", data={
        "csrf_token": token, "merge-target": target.id, "merge-confirm": "1"})
    assert f"Saved: “{label}” was merged into “{target.display_label}”" in _flash(client, merged)
    refused = client.post(f"/chair/themes/{first.id}/respond", data={
        "csrf_token": token, "respond-outcome": "accepted", "respond-reason": ""})
    assert refused.status_code == 400  # shown again with the field's error, nothing lost
    assert 'id="respond-reason-error"' in refused.get_data(as_text=True)
    assert "Give a reason." in refused.get_data(as_text=True)
    invisible = client.post(f"/chair/themes/{first.id}/respond", data={
        "csrf_token": token, "respond-outcome": "not_taken_up", "respond-reason": "\u200b\u2060",
        "respond-provisions": ["sme-forms"]})
    page = invisible.get_data(as_text=True)
    assert invisible.status_code == 400 and 'id="respond-reason-error"' in page
    for value in ("not_taken_up", "sme-forms"):  # the outcome and the provision stay ticked
        tag = re.search(rf'<input[^>]*value="{value}"[^>]*>', page)
        assert tag and "checked" in tag.group(0), value
    nothing = client.post(f"/chair/themes/{second.id}/note",
                          data={"csrf_token": token, "note-note": "\u200b"})
    assert "Nothing to save: the theme has no note." in _flash(client, nothing)


def test_response_provisions_are_checkboxes_not_a_multiple_select(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    page = client.get(f"/chair/runs/{run.id}/themes/{run.themes[0].id}").get_data(as_text=True)
    assert "<select multiple" not in page and " multiple" not in page
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*name="respond-provisions"|'
                       r'<input[^>]*name="respond-provisions"[^>]*type="checkbox"', page)
    assert len(boxes) == 2  # the two provisions of round 2
    assert "Measure 1.2: Simplified forms" in page and 'data-filterable="provisions"' in page


def test_names_and_chairs_titles_are_isolated_where_they_sit_in_our_sentences(
    app: Any, client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    # A right-to-left override in a name or a chair's title turns no text around it.
    run = _run(feedback)
    theme = run.themes[0]
    author = theme.members[0].comment.author
    author.name, author.organisation = "Eve \u202eevil", "Org \u202egro"
    db.session.commit()
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    assert "<bdi>Eve \u202eevil</bdi>" in page and "<bdi>Org \u202egro</bdi>" in page
    with app.test_request_context():
        from flask import render_template_string
        bar = render_template_string(
            '{% from "macros/charts.html" import theme_bars %}'
            '{{ theme_bars([("Domains \u202elist", 5, {"sme": 5}, "/x")], "Themes", "t") }}')
    assert '<a href="/x"><bdi>Domains \u202elist</bdi></a>' in bar


def test_the_final_code_has_no_synthesis_page_run_or_cli_run(
    client: Any, chair: Any, auth: Any, runner: Any, create_round: Any, create_provision: Any
) -> None:
    from app.core.errors import BadInput

    final = create_round(3, visibility="public", window=None, final=True)
    create_provision(final, "documentation", label="Measure 1.1", group="wg1")
    db.session.commit()
    page = "/chair/codes/demo-code/rounds/3/synthesis"
    assert client.get(page).status_code == 404
    assert client.get("/chair/codes/demo-code/rounds/3/proposals").status_code == 404
    token = auth.csrf_token(ROUND_PAGE)
    response = client.post(f"{page}/run", data={"csrf_token": token, "scope": "round:"})
    assert response.status_code == 404
    with pytest.raises(BadInput, match="final code"):
        create_run(final, provision="documentation")
    result = runner.invoke(args=["synthesise", "--code", "demo-code", "--round", "3"])
    assert result.exit_code == 2 and "final code" in result.stderr
    assert "embedding" not in result.output and "Traceback" not in result.output
    assert db.session.query(SynthesisRun).count() == 0


def test_a_theme_a_split_made_is_titled_and_summarised_as_a_run_would(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    from app.synthesis.models import Theme

    run = _run(feedback)
    merged = workspace.merge_themes(run.themes[0], run.themes[1], actor=None)
    db.session.commit()
    path = f"/chair/runs/{run.id}/themes/{merged.id}"
    done = client.post(f"/chair/themes/{merged.id}/split",
                       data={"csrf_token": auth.csrf_token(path)})
    new = db.session.get(Theme, int(done.headers["Location"].rsplit("/", 1)[1]))
    db.session.refresh(new)
    bodies = " ".join(m.comment.body for m in new.members).lower()
    # A phrase of its own comments and one of their sentences, not its keywords joined.
    assert new.label.lower() in bodies and ", " not in new.label
    assert new.summary and new.summary.split(".")[0].lower() in bodies
    assert new.identity.title is None  # generated: the next run may choose another
    assert merged.display_label == merged.identity.title  # the part that stayed keeps its name


def test_the_part_a_split_leaves_is_titled_again_from_the_comments_it_still_holds(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = max(run.themes, key=lambda t: t.size)
    assert theme.identity.title is None  # generated, not the chairs'
    theme.label = "Title of comments that are about to leave"
    db.session.commit()
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    client.post(f"/chair/themes/{theme.id}/split", data={"csrf_token": auth.csrf_token(path)})
    db.session.refresh(theme)
    bodies = " ".join(m.comment.body for m in theme.members).lower()
    assert theme.label != "Title of comments that are about to leave"
    assert theme.label.lower() in bodies and theme.summary


def test_a_split_theme_the_chairs_named_meanwhile_keeps_their_name_and_gets_a_summary(
    feedback: Any
) -> None:
    from app.embedding.services import get_embedder

    run = _run(feedback)
    merged = workspace.merge_themes(run.themes[0], run.themes[1], actor=None)
    new = workspace.split_theme(merged, actor=None)
    keywords = new.label
    workspace.rename_theme(new, "Named by the chairs", actor=None)
    workspace.describe_split(new, get_embedder())
    assert new.display_label == "Named by the chairs"
    assert new.label != keywords and new.summary  # the generated title beside it, a summary


def test_an_answer_sent_with_published_n_by_hand_is_not_published(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = run.themes[0]
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    client.post(f"/chair/themes/{theme.id}/respond", data={
        "csrf_token": auth.csrf_token(path), "respond-outcome": "accepted",
        "respond-reason": "Kept as drafted.", "respond-published": "n"})
    db.session.refresh(theme.identity)
    assert theme.identity.response is not None and theme.identity.response.published is False


def test_a_chair_moves_an_unassigned_comment_into_a_theme_from_the_run_page(
    client: Any, chair: Any, feedback: Any, auth: Any, create_user: Any
) -> None:
    from app.synthesis.models import ThemeMember, ThemeMove

    run, other = _run(feedback), _run(feedback, group="wg2")
    page = f"/chair/runs/{run.id}"
    [member, *_] = [m for m in run.members if m.theme_id is None]
    comment = member.comment
    shown = client.get(page).get_data(as_text=True)
    assert f'action="/chair/runs/{run.id}/comments/{comment.id}/move"' in shown
    assert comment.author.display_name in shown and comment.name in shown
    token = auth.csrf_token(page)
    url = f"{page}/comments/{comment.id}/move"
    for bad in (other.themes[0].id, 0, "x"):  # another run's theme, none, nonsense
        refused = client.post(url, data={"csrf_token": token, "target": bad})
        assert "Nothing was changed" in _flash(client, refused)
    assert db.session.get(ThemeMember, member.id).theme_id is None
    target = run.themes[0]
    moved = client.post(url, data={"csrf_token": token, "target": target.id})
    assert moved.headers["Location"] == page  # the page's top, where the message is
    assert (f"Saved: comment {comment.name} was moved to “{target.display_label}”."
            in _flash(client, moved))
    db.session.expire_all()
    assert db.session.get(ThemeMember, member.id).theme_id == target.id
    assert db.session.scalars(select(ThemeMove).where(
        ThemeMove.comment_id == comment.id)).one().identity_id == target.identity_id
    again = client.post(url, data={"csrf_token": token, "target": target.id})
    assert "no longer unassigned" in _flash(client, again)
    create_user("chair2@example.org", groups=[("wg2", "chair")])
    auth.logout()
    auth.login("chair2@example.org")
    assert client.post(url, data={"csrf_token": auth.csrf_token("/chair/synthesis"),
                                  "target": target.id}).status_code == 404


def test_the_final_codes_register_says_it_took_no_comments_and_leads_to_the_earlier_ones(
    client: Any, create_round: Any, create_provision: Any
) -> None:
    create_round(1, visibility="public", window="closed")
    create_round(2, visibility="private", window="closed", name="Hidden draft")
    final = create_round(3, visibility="public", window=None, final=True, name="Final code")
    create_provision(final, "documentation", label="Measure 1.1", group="wg1")
    db.session.commit()
    response = client.get("/codes/demo-code/rounds/3/register")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "This round is the final code: it was not open for comments" in page
    assert "have not published answers" not in page
    assert 'href="/codes/demo-code/rounds/1/register"' in page
    assert "Hidden draft" not in page and "/rounds/2/register" not in page


def test_a_closed_rounds_register_tells_no_feedback_from_no_answers_yet(
    client: Any, create_round: Any, create_provision: Any, create_comment: Any,
    create_user: Any
) -> None:
    quiet = create_round(1, visibility="public", window="closed")
    create_provision(quiet, "documentation", label="Measure 1.1", group="wg1")
    busy = create_round(2, visibility="public", window="closed")
    provision = create_provision(busy, "documentation", label="Measure 1.1", group="wg1")
    db.session.commit()
    create_comment(provision, create_user("someone@example.org"), "Six months is too long.")
    first = html.unescape(client.get("/codes/demo-code/rounds/1/register").get_data(as_text=True))
    assert "No feedback was received on this round" in first
    assert "have not published answers" not in first
    second = html.unescape(client.get("/codes/demo-code/rounds/2/register").get_data(as_text=True))
    assert "have not published answers to the feedback on this round yet" in second
    assert "No feedback was received" not in second


def test_a_run_of_a_scope_without_comments_says_so_plainly(
    client: Any, chair: Any, feedback: Any, create_provision: Any
) -> None:
    create_provision(feedback["round"], "quiet", label="Measure 1.9", title="Quiet", group="wg1")
    db.session.commit()
    run = _run(feedback, provision="quiet")
    page = html.unescape(client.get(f"/chair/runs/{run.id}").get_data(as_text=True))
    assert "No themes." in page and "There were no comments to place." in page
    assert "No theme is" not in page and "Every comment is in a theme" not in page


def test_a_theme_shows_the_answer_of_a_theme_merged_into_it(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    answered, other = run.themes[0], run.themes[1]
    workspace.respond(answered, "partly_accepted", "Shorter forms in the next draft.", [],
                      actor=None)
    workspace.rename_theme(answered, "Forms for small firms", actor=None)
    merged = workspace.merge_themes(answered, other, actor=None)
    db.session.commit()
    page = html.unescape(client.get(f"/chair/runs/{run.id}/themes/{merged.id}")
                         .get_data(as_text=True))
    assert ("“Forms for small firms”, merged into this theme, had been answered: "
            "<strong>Partly accepted</strong>. That answer stays with it (on the public "
            "register, under that name).") in page


def test_a_split_sent_again_from_the_same_page_splits_nothing_more(
    client: Any, chair: Any, feedback: Any, auth: Any
) -> None:
    run = _run(feedback)
    theme = max(run.themes, key=lambda t: t.size)
    path = f"/chair/runs/{run.id}/themes/{theme.id}"
    page = client.get(path).get_data(as_text=True)
    assert f'name="size" type="hidden" value="{theme.size}"' in page
    form = {"csrf_token": auth.csrf_token(path), "size": str(theme.size)}
    before = len(run.themes)
    client.post(f"/chair/themes/{theme.id}/split", data=form)
    db.session.expire_all()
    themes = len(db.session.get(SynthesisRun, run.id).themes)
    assert themes == before + 1
    again = client.post(f"/chair/themes/{theme.id}/split", data=form, follow_redirects=True)
    db.session.expire_all()
    assert len(db.session.get(SynthesisRun, run.id).themes) == themes
    assert "changed since the page was opened" in html.unescape(again.get_data(as_text=True))


def test_a_theme_with_a_published_answer_warns_that_moves_change_public_figures(
    client: Any, chair: Any, feedback: Any
) -> None:
    run = _run(feedback)
    answered, quiet = run.themes[0], run.themes[1]
    workspace.respond(answered, "accepted", "Taken up in the next draft.", [], actor=None)
    db.session.commit()
    warning = "moving comments in or out changes the figures the public reads"
    assert warning in html.unescape(
        client.get(f"/chair/runs/{run.id}/themes/{answered.id}").get_data(as_text=True))
    assert warning not in html.unescape(
        client.get(f"/chair/runs/{run.id}/themes/{quiet.id}").get_data(as_text=True))

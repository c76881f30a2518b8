"""A register that holds together: published answers never drop out (re-runs with new comments,
merges, splits), consistent wording of campaigns and outcomes, links to the redline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db
from app.feedback.models import Comment
from app.synthesis import workspace
from app.synthesis.accountability import answered_themes
from app.synthesis.register import campaign_phrase, register_items
from app.synthesis.services import run_synthesis
from tests.synthesis.conftest import COPYRIGHT, SMES, UPDATES

PAGE = "/codes/demo-code/rounds/1/register"


def _run(feedback: Any) -> Any:
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    return run


def _theme_with(run: Any, prefix: str) -> Any:
    return next(t for t in run.themes
                if any((m.comment.external_id or "").startswith(prefix) for m in t.members))


@pytest.fixture
def answered(feedback: Any) -> dict[str, Any]:
    """Three answered themes of the documentation measure; the round and round 2 public, its
    comments published (so the register may name themes by their generated titles)."""
    feedback["round"].visibility = feedback["round2"].visibility = "public"
    for comment in db.session.scalars(select(Comment)):
        comment.publish_consent = True
    run = _run(feedback)
    themes = {p: _theme_with(run, p) for p in ("upd", "sme", "cr")}
    workspace.respond(themes["upd"], "accepted", "Six-month cycle adopted.", ["documentation"],
                      actor=None)
    workspace.respond(themes["sme"], "not_taken_up", "Forms stay the same for everyone.",
                      ["sme-forms"], actor=None)
    workspace.respond(themes["cr"], "partly_accepted", "A summary, not a list.", [],
                      actor=None)
    db.session.commit()
    return {"run": run, "themes": themes,
            "titles": {p: t.display_label for p, t in themes.items()}}


def _titles(feedback: Any) -> set[str]:
    return {a.title for a in answered_themes(feedback["round"])}


def test_every_published_answer_survives_a_re_run_with_new_comments(
    feedback: Any, answered: dict[str, Any], add_comments: Any
) -> None:
    before = _titles(feedback)
    assert before == set(answered["titles"].values())
    # New comments arrive (a late bulk import), enough to reshape the clustering, twice.
    add_comments(feedback["doc"], [t + " Also for small providers." for t in SMES + UPDATES],
                 category="industry", stance="amend", prefix="late")
    _run(feedback)
    add_comments(feedback["doc"], [t.replace("summary", "list") for t in COPYRIGHT] * 2,
                 category="rightsholder", stance="oppose", prefix="later")
    _run(feedback)
    assert _titles(feedback) == before
    outcomes = {a.title: a.outcome for a in answered_themes(feedback["round"])}
    assert outcomes[answered["titles"]["upd"]] == "accepted"


def test_answers_survive_merges_and_splits(feedback: Any, answered: dict[str, Any]) -> None:
    run = answered["run"]
    themes = answered["themes"]
    workspace.merge_themes(themes["sme"], themes["upd"], actor=None)
    workspace.split_theme(themes["cr"], actor=None)
    db.session.commit()
    again = _run(feedback)
    assert again.id != run.id
    found = {a.title: a for a in answered_themes(feedback["round"])}
    assert set(found) == set(answered["titles"].values())
    merged = found[answered["titles"]["sme"]]
    assert merged.merged_into == answered["titles"]["upd"] and merged.outcome == "not_taken_up"


def test_the_register_page_keeps_merged_answers_and_says_so(
    client: Any, feedback: Any, answered: dict[str, Any]
) -> None:
    themes = answered["themes"]
    workspace.merge_themes(themes["sme"], themes["upd"], actor=None)
    db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    assert all(title in page for title in answered["titles"].values())
    assert "The chairs later merged this theme into" in page


def test_a_refused_answer_beside_a_changed_provision_explains_itself(
    client: Any, feedback: Any, answered: dict[str, Any]
) -> None:
    page = client.get(PAGE).get_data(as_text=True)
    sme = page[page.index(answered["titles"]["sme"]):]
    sme = sme[:sme.index("</article>")]
    assert "Not taken up — Draft 2 still changed this provision, for other reasons:" in sme
    assert "Changed in Draft 2 because of it" not in sme
    upd = page[page.index(answered["titles"]["upd"]):]
    assert "Changed in Draft 2 because of it:" in upd[:upd.index("</article>")]


def test_outcomes_share_the_chairs_css_classes_and_entries_link_their_redline(
    client: Any, feedback: Any, answered: dict[str, Any]
) -> None:
    page = client.get(PAGE).get_data(as_text=True)
    for outcome in ("accepted", "not_taken_up", "partly_accepted"):
        assert f"badge outcome outcome-{outcome}" in page
    assert re.search(r'href="/codes/demo-code/compare\?[^"]*#c-new--documentation"', page)
    assert "/api/v1/codes/demo-code/rounds/1/register.csv" in page


@pytest.mark.parametrize(("figures", "wording"), [
    ((6, 0, 0, 6, True), "6 comments, each sent individually."),
    ((24, 1, 24, 0, True), "24 comments: a campaign of 24 letters."),
    ((30, 1, 24, 6, True), "30 comments: a campaign of 24 letters, and 6 individual comments "
                           "(7 voices, each campaign counted as one)."),
    ((40, 2, 30, 10, True), "40 comments: 2 campaigns with 30 letters in all, and 10 "
                            "individual comments (12 voices, each campaign counted as one)."),
    ((3, 1, 3, 0, False), "<5 comments."),
    ((9, 1, 6, 3, False), "9 comments: a campaign of 6 letters, and <5 individual comments "
                          "(<5 voices, each campaign counted as one)."),
])
def test_campaigns_are_counted_the_same_way_everywhere(figures: tuple[Any, ...],
                                                       wording: str) -> None:
    assert campaign_phrase(*figures) == wording


def test_a_campaign_theme_reads_as_one_campaign_and_its_letters(
    feedback: Any, answered: dict[str, Any], create_user: Any
) -> None:
    run = answered["run"]
    campaign = _theme_with(run, "camp")
    workspace.respond(campaign, "not_taken_up", "Remuneration is outside the Code.", [],
                      actor=None)
    db.session.commit()
    secretariat = create_user("sec@example.org", role="secretariat")
    item = next(i for i in register_items(feedback["round"], secretariat)
                if i.answer.identity_id == campaign.identity_id)
    assert item.answer.campaigns == 1 and item.answer.letters == 4
    assert item.campaigns.startswith(f"{item.answer.size} comments: a campaign of 4 letters")
    public = next(i for i in register_items(feedback["round"], None)
                  if i.answer.identity_id == campaign.identity_id)
    assert "a campaign of <5 letters" in public.campaigns or public.campaigns == "<5 comments."


def test_the_register_counts_the_decisions_on_proposed_wording(
    client: Any, feedback: Any, answered: dict[str, Any], create_user: Any
) -> None:
    from app.feedback.decisions import decide_proposal
    from app.feedback.models import Comment

    theme = answered["themes"]["upd"]
    comments = [m.comment for m in theme.members][:2]
    for comment, wording in zip(comments, ["every six months", "twice a year"], strict=True):
        comment.proposed_text = wording
    feedback["round"].closes_at = feedback["round"].opens_at
    db.session.commit()
    chair = create_user("c@example.org", groups=[("wg1", "chair")])
    decide_proposal(comments[0], "accepted", "", actor=chair)
    db.session.commit()
    assert isinstance(comments[1], Comment)
    item = next(i for i in register_items(feedback["round"], chair)
                if i.answer.identity_id == theme.identity_id)
    assert item.proposals == {"accepted": 1, "partly_accepted": 0, "not_taken_up": 0,
                              "undecided": 1}
    page = client.get(PAGE).get_data(as_text=True)
    assert "The chairs' decisions on the wording proposed for Draft 1: &lt;5 accepted" in page
    assert "Proposed wording in this theme: &lt;5 accepted · &lt;5 not decided yet." in page


def test_the_chairs_theme_page_counts_campaigns_in_the_same_words(
    client: Any, auth: Any, feedback: Any, answered: dict[str, Any], create_user: Any
) -> None:
    run = answered["run"]
    campaign = _theme_with(run, "camp")
    create_user("chair1@example.org", groups=[("wg1", "chair")])
    auth.login("chair1@example.org")
    page = client.get(f"/chair/runs/{run.id}/themes/{campaign.id}").get_data(as_text=True)
    assert f"{campaign.size} comments: a campaign of 4 letters" in page
    assert "independent voice" not in page


def test_a_hidden_small_count_reads_in_the_plural_in_french(app: Any) -> None:
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert campaign_phrase(3, 1, 3, 0, False) == "<5 commentaires."
        assert campaign_phrase(6, 0, 0, 6, True) == ("6 commentaires, chacun envoyé "
                                                     "individuellement.")


def test_what_a_sender_added_in_proposed_wording_shows_beside_the_campaign(
    answered: dict[str, Any]
) -> None:
    from app.synthesis.listing import theme_listing

    theme = _theme_with(answered["run"], "camp")
    letter = next(iter(theme.run.campaigns[0].members)).comment
    letter.proposed_text = "Publish the register every quarter."
    db.session.commit()
    (here,) = theme_listing(theme, 1, 1).campaigns
    assert ("Publish the register every quarter.", 1) in here.additions


def test_the_register_names_a_theme_by_no_words_of_private_comments(
    client: Any, feedback: Any
) -> None:
    # A generated title is a phrase of the theme's comments: the public register shows it only
    # if a comment the public may read uses it, else "Theme N" (the chairs' own title always).
    feedback["round"].visibility = feedback["round2"].visibility = "public"
    feedback["round"].closes_at = feedback["round"].opens_at  # closed: the register is public
    run = _run(feedback)
    upd, sme = _theme_with(run, "upd"), _theme_with(run, "sme")
    assert not any(m.comment.publish_consent for m in upd.members)
    private_label = upd.label
    assert workspace.public_title(upd) is None
    workspace.respond(upd, "accepted", "Six-month cycle adopted.", [], actor=None)
    words = sme.label.split(" and ")[0].lower()
    for member in sme.members:  # one comment, published, uses the words of the title
        if words in member.comment.body.lower():
            member.comment.publish_consent = True
            break
    assert workspace.public_title(sme) == sme.label
    workspace.respond(sme, "not_taken_up", "Forms stay the same.", [], actor=None)
    db.session.commit()
    assert _titles(feedback) == {f"Theme {upd.identity_id}", sme.label}
    page = client.get(PAGE).get_data(as_text=True)
    assert f"Theme {upd.identity_id}" in page and private_label not in page
    workspace.rename_theme(upd, "Update cycle", actor=None)
    workspace.respond(upd, "accepted", "Six-month cycle adopted.", [], actor=None)
    db.session.commit()
    assert _titles(feedback) == {"Update cycle", sme.label}

"""The chairs' run and theme pages read what they show, not the whole run: as many SQL
statements for 500 members per theme as for 50, one page of comments and campaigns at a time,
a bounded look at each campaign's letters; and the export streams its rows.

Runs are written directly (no embedding): `build_run` gives each theme a campaign of a fifth of
its comments, every third letter with a sentence of its own, and the run some unassigned
comments, with the figures the pipeline would store.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from app.core.db import db, utcnow
from app.feedback.models import Comment
from app.synthesis import listing
from app.synthesis.export import synthesis_document
from app.synthesis.models import (
    CampaignGroup,
    CampaignMember,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
)
from tests.core.test_query_counts import counting

LETTER = "Please keep the register public. Every provider should publish it each year."
THEMES = 3


def build_run(round_: Any, provision: Any, authors: list[Any], per_theme: int) -> SynthesisRun:
    """A finished run of `provision` with THEMES themes of `per_theme` comments each (a fifth
    of them letters of one campaign per theme) and per_theme // 10 unassigned comments."""
    letters = per_theme // 5
    rows, plan = [], []
    for t in range(THEMES):
        for i in range(per_theme):
            letter = i < letters
            body = (f"{LETTER} Signed in town {i}." if letter and i % 3 == 1 else LETTER) \
                if letter else f"Theme {t} comment {i} about records and registers."
            rows.append({"round_id": round_.id, "provision_id": provision.id, "body": body,
                         "author_id": authors[i % len(authors)].id,
                         "stance": ("support", "oppose", "amend")[i % 3]})
            plan.append((t, letter, i))
    for i in range(per_theme // 10):
        rows.append({"round_id": round_.id, "provision_id": provision.id, "body": f"+1 ({i})",
                     "author_id": authors[0].id, "stance": "support"})
        plan.append((None, False, i))
    ids = list(db.session.scalars(insert(Comment).returning(
        Comment.id, sort_by_parameter_order=True), rows))
    run = SynthesisRun(round=round_, scope_kind="provision", provision_key=provision.key,
                       scope_key=f"provision:{provision.key}", status="done",
                       comment_count=len(ids), finished_at=utcnow(), model="hashing-fake",
                       message=f"{len(ids)} comments")
    db.session.add(run)
    themes, campaigns = [], []
    for t in range(THEMES):
        identity = ThemeIdentity(round_id=round_.id, scope_key=run.scope_key)
        theme = Theme(run=run, identity=identity, position=t, label=f"theme {t}",
                      size=per_theme, by_stance={"support": per_theme},
                      by_category={"civil_society": per_theme}, campaign_count=1,
                      independent_count=per_theme - letters + 1)
        campaign = CampaignGroup(run=run, template=LETTER, size=letters,
                                 canonical_id=ids[t * per_theme])
        db.session.add_all([identity, theme, campaign])
        themes.append(theme)
        campaigns.append(campaign)
    db.session.flush()
    for t, theme in enumerate(themes):
        theme.representatives = ids[t * per_theme + letters : t * per_theme + letters + 3]
    db.session.execute(insert(CampaignMember), [
        {"campaign_id": campaigns[t].id, "comment_id": cid,
         "addition": f"Signed in town {i}." if i % 3 == 1 else ""}
        for cid, (t, letter, i) in zip(ids, plan, strict=True) if letter])
    db.session.execute(insert(ThemeMember), [
        {"run_id": run.id, "comment_id": cid,
         "theme_id": themes[t].id if t is not None else None,
         "campaign_id": campaigns[t].id if letter else None, "distance": (i % 97) / 100}
        for cid, (t, letter, i) in zip(ids, plan, strict=True)])
    db.session.commit()
    return run


@pytest.fixture
def runs(create_round: Any, create_provision: Any, create_user: Any, auth: Any) -> Any:
    """`make(per_theme, key)`: a run of a new measure `key`, as the secretariat sees it."""
    round_ = create_round(1, visibility="plenary", window="closed")
    authors = [create_user(f"voice{i}@example.org", name=f"Voice {i}", category=category,
                           password=None)
               for i, category in enumerate(("civil_society", "industry", "academia"))]
    create_user("sec@example.org", role="secretariat")
    auth.login("sec@example.org")

    def make(per_theme: int, key: str) -> SynthesisRun:
        return build_run(round_, create_provision(round_, key, title=key), authors, per_theme)

    return make


def _pages(run: SynthesisRun) -> list[str]:
    theme = db.session.scalar(select(Theme.id).where(Theme.run_id == run.id)
                              .order_by(Theme.position).limit(1))
    return [f"/chair/runs/{run.id}", f"/chair/runs/{run.id}/themes/{theme}",
            f"/chair/runs/{run.id}/themes/{theme}?page=2"]


def _cost(client: Any, path: str) -> tuple[list[str], Counter[str]]:
    """The statements a request issues and the ORM objects it loads, by class."""
    client.get(path)  # warm: caches filled on first use are not N+1
    db.session.remove()
    loaded: Counter[str] = Counter()

    def count(target: Any, context: Any) -> None:
        loaded[type(target).__name__] += 1

    event.listen(db.Model, "load", count, propagate=True)
    try:
        with counting() as statements:
            response = client.get(path)
    finally:
        event.remove(db.Model, "load", count)
    assert response.status_code == 200, path
    return statements, loaded


@pytest.mark.slow
def test_the_run_and_theme_pages_cost_the_same_for_500_members_per_theme_as_for_50(
    client: Any, runs: Any, monkeypatch: Any
) -> None:
    # Pages smaller than the smaller run's lists, so that both fill every page they show.
    for name, value in (("PAGE_SIZE", 4), ("SENDERS_SHOWN", 4), ("ADDED_SAMPLE", 2),
                        ("ADDITIONS_SHOWN", 2)):
        monkeypatch.setattr(listing, name, value)
    paths = {"small": _pages(runs(50, "small")), "large": _pages(runs(500, "large"))}
    costs = {(size, i): _cost(client, path)
             for size in paths for i, path in enumerate(paths[size])}
    for i, path in enumerate(paths["large"]):
        (small, small_rows), (large, large_rows) = costs["small", i], costs["large", i]
        assert len(large) == len(small), (path, len(small), len(large))
        assert large_rows == small_rows, (path, small_rows, large_rows)
        assert len(small) < 40 and sum(small_rows.values()) < 100, (path, small_rows)


def test_a_theme_page_shows_one_page_of_its_other_comments_nearest_the_centre_first(
    client: Any, runs: Any
) -> None:
    run = runs(500, "large")
    theme = run.themes[0]
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}?page=2").get_data(as_text=True)
    assert "Other comments (400)" in page and "Page 2 of 4, nearest the centre" in page
    expected = list(db.session.scalars(
        select(Comment.body).join(ThemeMember, ThemeMember.comment_id == Comment.id)
        .where(ThemeMember.theme_id == theme.id, ThemeMember.campaign_id.is_(None))
        .order_by(ThemeMember.distance, ThemeMember.id).offset(100).limit(100)))
    shown = re.findall(r'<p class="body" dir="auto">([^<]*)</p>', page)
    assert shown == expected
    assert f"/themes/{theme.id}?page=4" in page and 'aria-current="page">2<' in page


def test_a_long_pager_links_the_first_the_last_and_the_nearest_pages() -> None:
    assert listing.paging(2000, 10, 100).links == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert listing.paging(900, 1, 100).links == list(range(1, 10))
    assert listing.paging(0, 3, 100).page == 1 and listing.paging(250, 9, 100).page == 3


def test_a_campaign_block_names_its_first_senders_and_counts_the_others(
    client: Any, runs: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(listing, "SENDERS_SHOWN", 7)
    run = runs(100, "measure")
    theme = run.themes[0]
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    assert "Campaign: 20 near-identical letters" in page and "Senders (20)" in page
    senders = page.split('<ul class="senders">')[1].split("</ul>")[0]
    assert senders.count("<li>") == 7 and "…and 13 more." in senders
    assert "Move all 20 letters to" in page


def test_what_senders_added_is_read_from_the_letters_that_differ_first(
    client: Any, runs: Any, monkeypatch: Any
) -> None:
    run = runs(100, "measure")  # 20 letters a theme, 7 of them with a sentence of their own
    theme = run.themes[0]
    monkeypatch.setattr(listing, "ADDED_SAMPLE", 7)  # fewer than the letters, all that differ
    (here,) = listing.theme_listing(theme, 1, 1).campaigns
    assert (here.read, here.count, here.complete) == (7, 20, True)
    assert sorted(here.additions) == sorted((f"Signed in town {i}.", 1)
                                            for i in range(1, 20, 3))
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    assert "Read from" not in page
    monkeypatch.setattr(listing, "ADDED_SAMPLE", 4)
    (here,) = listing.theme_listing(theme, 1, 1).campaigns
    assert sorted(here.additions) == [(f"Signed in town {i}.", 1) for i in (1, 10, 4, 7)]
    assert (here.read, here.complete) == (4, False)
    page = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    assert ("Read from 4 of the 20 letters in this theme, those that differ from the template "
            "first.") in page


def test_a_theme_with_many_campaigns_lists_them_a_page_at_a_time(
    client: Any, runs: Any, monkeypatch: Any
) -> None:
    run = runs(50, "measure")
    theme, other = run.themes[0], run.themes[1]
    db.session.execute(ThemeMember.__table__.update()
                       .where(ThemeMember.theme_id == other.id)
                       .values(theme_id=theme.id))  # its campaign joins (as large)
    db.session.commit()
    monkeypatch.setattr(listing, "CAMPAIGN_PAGE", 1)
    first = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    second = client.get(f"/chair/runs/{run.id}/themes/{theme.id}?campaigns=2"
                        ).get_data(as_text=True)
    assert "Campaigns 1 to 1 of 2, most letters first." in first
    assert "Campaigns 2 to 2 of 2, most letters first." in second
    assert first.count('class="card campaign"') == second.count('class="card campaign"') == 1
    assert "Other comments (80)" in first and "Other comments (80)" in second


def test_the_run_page_lists_unassigned_comments_and_campaigns_a_page_at_a_time(
    client: Any, runs: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 20)
    monkeypatch.setattr(listing, "CAMPAIGN_PAGE", 2)
    monkeypatch.setattr(listing, "ADDITIONS_SHOWN", 3)
    run = runs(500, "measure")  # 50 unassigned, three campaigns of 100 letters
    page = client.get(f"/chair/runs/{run.id}?unassigned=3").get_data(as_text=True)
    assert "Unassigned (50)" in page and "Page 3 of 3<" in page
    listed = page.split('<ul class="unassigned">')[1].split("</ul>")[0]
    found = re.findall(r"<p dir=\"auto\"><bdi>\+1 \((\d+)\)</bdi></p>", listed)
    assert found == [str(i) for i in range(40, 50)]
    assert "Campaigns 1 to 2 of 3." in page and page.count('class="card campaign"') == 2
    assert "What 33 senders added" in page and "…and 30 more." in page
    assert f"/chair/runs/{run.id}?campaigns=2&amp;unassigned=3#campaigns" in page


def test_the_export_streams_members_and_letters_as_rows(runs: Any) -> None:
    run = runs(50, "measure")
    seen: list[dict] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "theme_members" in statement or "campaign_members" in statement:
            seen.append(dict(context.execution_options))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        document = synthesis_document(run)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 2 and all(options.get("yield_per") for options in seen)
    assert sum(len(t["comments"]) for t in document["themes"]) == 150
    assert len(document["unassigned"]) == 5
    assert [len(g["members"]) for g in document["duplicate_groups"]] == [10, 10, 10]


def test_a_campaign_split_across_themes_shows_in_each_only_its_letters_there(
    client: Any, runs: Any
) -> None:
    run = runs(50, "measure")  # a campaign of 10 letters a theme; 1, 4 and 7 add a sentence
    theme, other = run.themes[0], run.themes[1]
    letters = list(db.session.scalars(
        select(CampaignMember.comment_id).join(CampaignGroup)
        .where(CampaignGroup.canonical_id == theme.representatives[0] - 10)
        .order_by(CampaignMember.id)))
    db.session.execute(ThemeMember.__table__.update()
                       .where(ThemeMember.run_id == run.id,
                              ThemeMember.comment_id.in_(letters[:5]))
                       .values(theme_id=other.id))
    db.session.commit()
    here = client.get(f"/chair/runs/{run.id}/themes/{theme.id}").get_data(as_text=True)
    there = client.get(f"/chair/runs/{run.id}/themes/{other.id}").get_data(as_text=True)
    assert "Campaign: 5 near-identical letters" in here and "(10 in the whole scope)" in here
    assert "Signed in town 7." in here and "Signed in town 4." not in here
    own, moved = there.split('class="card campaign"')[1:]  # most letters first
    assert "Campaign: 10 near" in own and "Campaign: 5 near-identical letters" in moved
    assert "Signed in town 4." in moved and "Signed in town 7." not in moved

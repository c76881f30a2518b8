"""What the chairs' run and theme pages list, one page at a time, however large the run.

Counts are SQL aggregates over `theme_members` (GROUP BY its campaign) and the figures stored
on each theme; rows are read a page at a time through the indexes of `ThemeMember` (a theme's
comments outside campaigns by distance, a run's unassigned comments by id), so a page costs
the same for a run of a thousand comments and one of a million. Only the comments a page shows
are loaded.

A campaign's block reads a bounded part of its letters in the theme: the first SENDERS_SHOWN
senders, and for what senders added to the template (sentences, and words changed in its own
sentences: `duplicates.beyond_template`) at most ADDED_SAMPLE letters, those that differ from
the template first (a non-empty `CampaignMember.addition`, stored when the run is written),
each kind in the campaign's order. A letter identical to the template adds nothing, so the
lines and their counts are those of every letter as long as at most ADDED_SAMPLE letters in
the theme differ; beyond that the page says how many letters it read. Each of those reads is
a LIMIT per campaign, so it costs the same however many letters a campaign has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select, union_all
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.feedback.models import Comment
from app.synthesis.duplicates import beyond_template
from app.synthesis.models import CampaignGroup, CampaignMember, SynthesisRun, Theme, ThemeMember
from app.synthesis.services import load_comments
from app.synthesis.vectors import joined_text

PAGE_SIZE = 100  # comments per page
CAMPAIGN_PAGE = 10  # campaign blocks per page
SENDERS_SHOWN = 100  # senders named in a campaign's block
ADDED_SAMPLE = 100  # letters of a campaign read for what its senders added
ADDITIONS_SHOWN = 50  # additions listed under a campaign on the run page


@dataclass(frozen=True)
class Paging:
    """Page `page` (from 1) of `pages`, over `total` items `size` at a time."""

    page: int
    pages: int
    total: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def last(self) -> int:
        """The number of the last item on this page (from 1)."""
        return min(self.total, self.page * self.size)

    @property
    def links(self) -> list[int | None]:
        """The pages a pager links to: all of them when there are few, else the first, the
        last and those near this one, None standing for the pages left out between them."""
        near = range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)
        shown = sorted({1, self.pages, *near}) if self.pages > 9 else range(1, self.pages + 1)
        out: list[int | None] = []
        for number in shown:
            if out and out[-1] is not None and number - out[-1] > 1:
                out.append(None)
            out.append(number)
        return out


def paging(total: int, requested: int | None, size: int) -> Paging:
    """The page asked for, kept between the first and the last."""
    pages = max(1, -(-total // size))
    return Paging(min(pages, max(1, requested or 1)), pages, total, size)


@dataclass(frozen=True)
class CampaignHere:
    """A campaign as one theme holds it: how many of its letters are in the theme, the first
    senders, and the sentences senders added to the template and the words they changed in
    it (each once, with how many senders wrote it, commonest first), read from `read` of the
    letters, every one that differs from the template when `complete`."""

    campaign: CampaignGroup
    count: int
    senders: list[Comment]
    additions: list[tuple[str, int]]
    edits: list[tuple[str, int]]
    read: int
    complete: bool

    @property
    def first_id(self) -> int:
        """A letter of the campaign in the theme (what its move form names)."""
        return self.senders[0].id


@dataclass(frozen=True)
class ThemeListing:
    """What a theme's page lists: a page of its campaigns and a page of its other comments."""

    campaigns: list[CampaignHere]
    campaign_paging: Paging
    members: list[ThemeMember]
    comments: dict[int, Comment]
    paging: Paging


# A letter that differs from its template (written with a literal, not a bound parameter, so
# that the partial index on campaign_members that holds only those letters can serve it).
DIFFERS = CampaignMember.addition != literal_column("''")


def theme_listing(theme: Theme, page: int | None, campaign_page: int | None) -> ThemeListing:
    """Page `page` of the theme's comments outside campaigns (nearest its centre first) and
    page `campaign_page` of its campaigns (most letters first)."""
    individual_count, counts = 0, {}
    for campaign_id, count in db.session.execute(
        select(ThemeMember.campaign_id, func.count(ThemeMember.id))
        .where(ThemeMember.theme_id == theme.id).group_by(ThemeMember.campaign_id)
    ):
        if campaign_id is None:
            individual_count = int(count)
        else:
            counts[int(campaign_id)] = int(count)
    individual = paging(individual_count, page, PAGE_SIZE)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    by_campaign = paging(len(ranked), campaign_page, CAMPAIGN_PAGE)
    shown = dict(ranked[by_campaign.offset : by_campaign.offset + CAMPAIGN_PAGE])
    members = list(db.session.scalars(
        select(ThemeMember).where(ThemeMember.theme_id == theme.id,
                                  ThemeMember.campaign_id.is_(None))
        .order_by(ThemeMember.distance, ThemeMember.id)
        .offset(individual.offset).limit(PAGE_SIZE)))
    groups = {c.id: c for c in db.session.scalars(
        select(CampaignGroup).where(CampaignGroup.id.in_(list(shown))))}
    split = {c for c, count in shown.items() if count < groups[c].size}
    senders = _first_letters(theme, split, [(c, SENDERS_SHOWN, None) for c in shown])
    comments = load_comments([m.comment_id for m in members]
                             + [c for letters in senders.values() for _, c, _ in letters])
    added = _added(theme, split, groups, list(shown))
    campaigns = [CampaignHere(groups[c], count, [comments[i] for _, i, _ in senders[c]], *more)
                 for (c, count), more in zip(shown.items(), added, strict=True)]
    return ThemeListing(campaigns, by_campaign, members, comments, individual)


def _added(
    theme: Theme, split: set[int], groups: dict[int, CampaignGroup], campaign_ids: Sequence[int]
) -> list[tuple[list[tuple[str, int]], list[tuple[str, int]], int, bool]]:
    """For each campaign, what its senders in the theme added (sentences, edits), from how
    many letters, and whether those are all the letters that differ from the template."""
    # The letters that differ first (one more than are read, to know whether there are
    # others), then identical ones while there is room, each kind in the campaign's order.
    sample = _first_letters(theme, split, [(c, ADDED_SAMPLE + 1, True) for c in campaign_ids]
                            + [(c, ADDED_SAMPLE, False) for c in campaign_ids])
    read = {}
    for c in campaign_ids:
        differing = [letter for letter in sample[c] if letter[2]]
        same = [letter for letter in sample[c] if not letter[2]]
        read[c] = sorted((differing[:ADDED_SAMPLE] + same)[:ADDED_SAMPLE])
    texts = _texts([comment for letters in read.values() for _, comment, _ in letters])
    out = []
    for c in campaign_ids:
        added, edited = _beyond(groups[c].template, [texts[i] for _, i, _ in read[c]])
        complete = sum(differs for _, _, differs in sample[c]) <= ADDED_SAMPLE
        out.append((added, edited, len(read[c]), complete))
    return out


def _first_letters(
    theme: Theme, split: set[int], wanted: Sequence[tuple[int, int, bool | None]]
) -> dict[int, list[tuple[int, int, bool]]]:
    """For each (campaign, limit, differs) in `wanted`, the campaign's first `limit` letters
    in the theme (in the campaign's order) that differ from the template (True), that do not
    (False) or either (None): (letter id, comment id, differs) by campaign, in that order.
    One statement, a LIMIT for each (UNION ALL), so that each reads about `limit` rows
    however many letters the campaign has: a campaign wholly in the theme is read from its
    own index alone; one `split` across themes is joined with the theme's members."""
    out: dict[int, list[tuple[int, int, bool]]] = {c: [] for c, _, _ in wanted}
    parts = []
    for campaign_id, limit, differs in wanted:
        which = () if differs is None else (DIFFERS if differs else ~DIFFERS,)
        letters = (select(CampaignMember.campaign_id, CampaignMember.id,
                          CampaignMember.comment_id, DIFFERS.label("differs"))
                   .where(CampaignMember.campaign_id == campaign_id, *which))
        if campaign_id in split:
            letters = letters.join(ThemeMember, (ThemeMember.run_id == theme.run_id)
                                   & (ThemeMember.comment_id == CampaignMember.comment_id)
                                   ).where(ThemeMember.theme_id == theme.id)
        parts.append(select(letters.order_by(CampaignMember.id).limit(limit).subquery()))
    if parts:
        for campaign_id, letter_id, comment_id, differs in db.session.execute(union_all(*parts)):
            out[campaign_id].append((letter_id, comment_id, bool(differs)))
    return {c: sorted(letters) for c, letters in out.items()}


def _beyond(template: str, letters: Sequence[str]) -> tuple[list[tuple[str, int]],
                                                            list[tuple[str, int]]]:
    added: Counter[str] = Counter()
    edited: Counter[str] = Counter()
    for text in letters:
        beyond = beyond_template(template, text)
        added.update(dict.fromkeys(beyond.sentences, 1))
        edited.update(dict.fromkeys(beyond.edits, 1))
    return added.most_common(), edited.most_common()


def _texts(ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {cid: joined_text(body, proposed) for cid, body, proposed in db.session.execute(
        select(Comment.id, Comment.body, Comment.proposed_text).where(Comment.id.in_(ids)))}


def campaign_letter_ids(theme: Theme, comment_id: int) -> list[int]:
    """Every letter in `theme` of the campaign of its letter `comment_id` (just `comment_id`
    when it is no campaign letter of this theme)."""
    campaign_id = db.session.scalar(select(ThemeMember.campaign_id).where(
        ThemeMember.theme_id == theme.id, ThemeMember.comment_id == comment_id))
    if campaign_id is None:
        return [comment_id]
    return list(db.session.scalars(
        select(ThemeMember.comment_id).where(ThemeMember.theme_id == theme.id,
                                             ThemeMember.campaign_id == campaign_id)
        .order_by(ThemeMember.comment_id))) or [comment_id]


@dataclass(frozen=True)
class RunCampaign:
    """A campaign on the run page: the first ADDITIONS_SHOWN of what senders added, of
    `added` senders who added something."""

    campaign: CampaignGroup
    additions: list[str]
    added: int


@dataclass(frozen=True)
class RunListing:
    """What a run's page lists beside its themes: a page of its unassigned comments and a page
    of its campaigns, and the comments its themes' representatives name."""

    unassigned: list[ThemeMember]
    unassigned_paging: Paging
    campaigns: list[RunCampaign]
    campaign_paging: Paging
    representatives: dict[int, Comment]


def run_listing(run: SynthesisRun, page: int | None, campaign_page: int | None) -> RunListing:
    """Page `page` of the run's unassigned comments (in the order they were stored) and page
    `campaign_page` of its campaigns (in the run's order)."""
    unassigned_count = db.session.scalar(select(func.count(ThemeMember.id)).where(
        ThemeMember.run_id == run.id, ThemeMember.theme_id.is_(None))) or 0
    unassigned = paging(int(unassigned_count), page, PAGE_SIZE)
    members = list(db.session.scalars(
        select(ThemeMember).where(ThemeMember.run_id == run.id, ThemeMember.theme_id.is_(None))
        .order_by(ThemeMember.id).offset(unassigned.offset).limit(PAGE_SIZE)
        .options(selectinload(ThemeMember.comment).selectinload(Comment.author),
                 selectinload(ThemeMember.comment).selectinload(Comment.provision))))
    campaign_count = db.session.scalar(select(func.count(CampaignGroup.id))
                                       .where(CampaignGroup.run_id == run.id)) or 0
    by_campaign = paging(int(campaign_count), campaign_page, CAMPAIGN_PAGE)
    groups = list(db.session.scalars(
        select(CampaignGroup).where(CampaignGroup.run_id == run.id).order_by(CampaignGroup.id)
        .offset(by_campaign.offset).limit(CAMPAIGN_PAGE)))
    additions = _additions([g.id for g in groups])
    campaigns = [RunCampaign(g, *additions.get(g.id, ([], 0))) for g in groups]
    representatives = load_comments([c for t in run.themes for c in t.representatives])
    return RunListing(members, unassigned, campaigns, by_campaign, representatives)


def _additions(campaign_ids: Sequence[int]) -> dict[int, tuple[list[str], int]]:
    """For each campaign, the first ADDITIONS_SHOWN non-empty additions of its senders (in the
    campaign's order, a LIMIT each) and how many senders added something (a count over the
    partial index of those letters): two statements."""
    if not campaign_ids:
        return {}
    counts = dict(db.session.execute(
        select(CampaignMember.campaign_id, func.count(CampaignMember.id))
        .where(CampaignMember.campaign_id.in_(campaign_ids), DIFFERS)
        .group_by(CampaignMember.campaign_id)).all())
    firsts = [select(select(CampaignMember.campaign_id, CampaignMember.id,
                            CampaignMember.addition)
                     .where(CampaignMember.campaign_id == c, DIFFERS)
                     .order_by(CampaignMember.id).limit(ADDITIONS_SHOWN).subquery())
              for c in campaign_ids if counts.get(c)]
    out: dict[int, tuple[list[str], int]] = {}
    if firsts:
        for campaign_id, _, addition in sorted(db.session.execute(union_all(*firsts))):
            out.setdefault(campaign_id, ([], int(counts[campaign_id])))[0].append(addition)
    return out

"""A finished synthesis run for `bench_pages_scale`, generated in bulk: one measure of `n`
comments and a run of it written directly (no embedding, no clustering), so that the chairs'
run and theme pages can be timed on a small run and a large one that differ only in size.

The run has THEMES themes of unequal sizes (the largest about three times the smallest),
CAMPAIGNS campaigns (CAMPAIGN_SHARE of the comments, letters of one template, a third of them
with a sentence of the sender's own) and NOISE_SHARE unassigned comments; the members'
distances are random, the themes' figures are counted from the generated rows as a run would
store them. Deterministic for a given size.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy import insert, select

THEMES, CAMPAIGNS, CAMPAIGN_SHARE, NOISE_SHARE, AUTHORS = 16, 6, 0.08, 0.03, 300
BATCH = 5000
CODE, KEY = "bench-synthesis", "m-1"
SECRETARIAT = "bench-secretariat@example.org"
_SYLLABLES = ("ka", "lo", "mer", "dis", "tan", "vor", "pel", "su", "rin", "gat", "fo", "nel",
              "bra", "ti", "mon", "ser", "ul", "pra", "che", "dom")
_CATEGORIES = ("civil_society", "industry", "sme", "academia", "rightsholder",
               "gpai_provider", "member_state")
_STANCES = ("support", "oppose", "amend", "question", "neutral")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def comments(n: int, seed: int = 7) -> list[tuple[int | None, int | None, str, str]]:
    """`n` comments as (theme or None, campaign or None, text, addition)."""
    rng = random.Random(seed)
    shared = [_word(rng) for _ in range(80)]
    own = [[_word(rng) for _ in range(40)] for _ in range(THEMES)]
    weights = [3 - 2 * t / (THEMES - 1) for t in range(THEMES)]

    def sentence(theme: int, length: int) -> str:
        words = [rng.choice(own[theme]) if rng.random() < 0.65 else rng.choice(shared)
                 for _ in range(length)]
        return " ".join(words).capitalize() + "."

    letters = [" ".join(sentence(c, 14) for _ in range(3)) for c in range(CAMPAIGNS)]
    out: list[tuple[int | None, int | None, str, str]] = []
    for _ in range(n):
        draw = rng.random()
        if draw < NOISE_SHARE:
            out.append((None, None, rng.choice(("+1", "See attachment.", "Agreed.")), ""))
        elif draw < NOISE_SHARE + CAMPAIGN_SHARE:
            campaign = min(CAMPAIGNS - 1, int(rng.expovariate(0.6)))
            mine = sentence(rng.randrange(THEMES), 8) if rng.random() < 1 / 3 else ""
            out.append((campaign, campaign, f"{letters[campaign]} {mine}".strip(), mine))
        else:
            theme = rng.choices(range(THEMES), weights)[0]
            out.append((theme, None, " ".join(sentence(theme, rng.randint(9, 16))
                                              for _ in range(rng.randint(1, 3))), ""))
    return out


def build_scope(n: int) -> dict[str, Any]:
    """In an app context: the code, its measure, `n` comments, a secretariat account and a
    finished run of the measure; returns the run's id and its largest theme's id."""
    from app.accounts.models import User
    from app.core.db import db, utcnow
    from app.drafting.models import Code, Provision, Round
    from app.feedback.models import Comment
    from app.synthesis.models import CampaignGroup, SynthesisRun, Theme, ThemeIdentity

    round_ = Round(code=Code(slug=CODE, title="Bench synthesis"), number=1, name="Draft",
                   visibility="public", levels=["measure"])
    provision = Provision(round=round_, key=KEY, kind="measure", depth=1, position=0,
                          label="Measure 1", number="1", title="A measure", body="",
                          body_html="", text="Providers shall keep records.")
    authors = [User(email=f"bench-voice{i}@example.org", name=f"Voice {i}",
                    organisation=f"Organisation {i % 40}",
                    category=_CATEGORIES[i % len(_CATEGORIES)], password_hash="x")
               for i in range(AUTHORS)]
    db.session.add_all([round_, provision, *authors])
    if db.session.scalar(select(User).where(User.email == SECRETARIAT)) is None:
        db.session.add(User(email=SECRETARIAT, name="Bench secretariat", role="secretariat",
                            category="other", password_hash="x"))
    db.session.flush()
    rng = random.Random(n)
    plan = comments(n)
    rows = [{"round_id": round_.id, "provision_id": provision.id, "body": text,
             "author_id": authors[rng.randrange(AUTHORS)].id, "stance": rng.choice(_STANCES)}
            for _, _, text, _ in plan]
    ids: list[int] = []
    for start in range(0, n, BATCH):
        ids += db.session.scalars(insert(Comment).returning(
            Comment.id, sort_by_parameter_order=True), rows[start : start + BATCH])
    run = SynthesisRun(round=round_, scope_kind="provision", provision_key=KEY,
                       scope_key=f"provision:{KEY}", status="done", comment_count=n,
                       model="bench-generated", finished_at=utcnow())
    db.session.add(run)
    themes = [Theme(run=run, identity=ThemeIdentity(round_id=round_.id, scope_key=run.scope_key),
                    label=f"Theme {t + 1}", keywords=[f"word{t}"], summary=f"Summary {t + 1}.")
              for t in range(THEMES)]
    groups = [CampaignGroup(run=run, template=plan[next(i for i, p in enumerate(plan)
                                                        if p[1] == c)][2],
                            canonical_id=ids[next(i for i, p in enumerate(plan) if p[1] == c)])
              for c in range(CAMPAIGNS)]
    db.session.add_all(themes + groups)
    db.session.flush()
    distance = [rng.random() for _ in plan]
    _figures(themes, groups, plan, rows, authors, distance, ids)
    _members(run.id, themes, groups, plan, ids, distance)
    run.message = (f"{n} comments in {THEMES} themes, {sum(p[0] is None for p in plan)} "
                   f"unassigned; {CAMPAIGNS} campaigns.")
    db.session.commit()
    largest = max(themes, key=lambda t: t.size)
    return {"run": run.id, "theme": largest.id}


def _figures(themes: list[Any], groups: list[Any], plan: list[Any], rows: list[dict],
             authors: list[Any], distance: list[float], ids: list[int]) -> None:
    """Each theme's figures as a run stores them, counted from the generated rows."""
    category = {a.id: a.category for a in authors}
    for t, theme in enumerate(themes):
        mine = [i for i, p in enumerate(plan) if p[0] == t]
        letters = Counter(plan[i][1] for i in mine if plan[i][1] is not None)
        theme.size, theme.position = len(mine), t
        theme.by_category = dict(Counter(category[rows[i]["author_id"]] for i in mine)
                                 .most_common())
        theme.by_stance = dict(Counter(rows[i]["stance"] for i in mine).most_common())
        theme.representatives = [ids[i] for i in sorted(mine, key=distance.__getitem__)[:3]]
        theme.campaign_count = len(letters)
        theme.independent_count = len(mine) - sum(letters.values()) + len(letters)
    for c, group in enumerate(groups):
        group.size = sum(p[1] == c for p in plan)


def _members(run_id: int, themes: list[Any], groups: list[Any], plan: list[Any],
             ids: list[int], distance: list[float]) -> None:
    """Members and campaign letters, written BATCH rows at a time."""
    from app.core.db import db
    from app.synthesis.models import CampaignMember, ThemeMember

    members = [{"run_id": run_id, "comment_id": cid, "distance": distance[i],
                "theme_id": themes[p[0]].id if p[0] is not None else None,
                "campaign_id": groups[p[1]].id if p[1] is not None else None}
               for i, (cid, p) in enumerate(zip(ids, plan, strict=True))]
    letters = [{"campaign_id": groups[p[1]].id, "comment_id": cid, "addition": p[3]}
               for cid, p in zip(ids, plan, strict=True) if p[1] is not None]
    for table, values in ((ThemeMember, members), (CampaignMember, letters)):
        for start in range(0, len(values), BATCH):
            db.session.execute(insert(table), values[start : start + BATCH])

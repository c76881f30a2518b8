"""A Code built at a chosen scale, for tests that compare the same pages at two sizes.

`build_scaled(k, make_user)` imports two rounds of a Code `scale-k` through the real importer
(2 chapters of 3k measures; round 2 edits every measure and adds one per chapter), stores
comments on round 1 (anchored, some with proposed wording and a decision, replies, one hidden)
that the importer carries into round 2, comments on round 2, and a finished synthesis run of
wg1 on round 1 with k themes, answered and linked to round 2. Every count grows with k; the
accounts (a participant with comments on every measure, a chair of wg1, the secretariat) are
the scale's own, so pages of one size never see the other's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.core.db import db, utcnow
from app.drafting.importer import import_round
from app.drafting.models import Provision, Round
from app.feedback.models import Comment
from app.feedback.services import submit_comment
from app.synthesis.models import SynthesisRun, Theme
from tests.diffing.why_story import answer, make_run

STANCES = ("support", "oppose", "amend", "question", "neutral")
WORDS = ("documentation", "training", "evaluation", "incident", "copyright", "energy",
         "security", "access", "reporting", "oversight")


def _measure(chapter: int, number: int, edited: bool) -> str:
    topic = WORDS[(chapter * 7 + number) % len(WORDS)]
    body = (f"Signatories shall keep the {topic} records of measure {chapter}.{number} up to "
            f"date and share them with the AI Office on request. The {topic} summary shall "
            f"name the person responsible for measure {chapter}.{number}.")
    if edited:
        body += f" Records of {topic} are kept for ten years."
    return body


def round_markdown(slug: str, number: int, measures: int) -> str:
    """Round 1 or 2 of the scaled code: 2 chapters of `measures` measures each."""
    window = ("opens: 2025-01-01T00:00:00Z\n  closes: 2025-02-01T00:00:00Z" if number == 1
              else "opens: 2025-03-01T00:00:00Z\n  closes: 2099-01-01T00:00:00Z")
    lines = [
        "---", f"code: {slug}", f"title: Scaled code {slug}", f"round: {number}",
        f"name: Draft {number}", "date: 2025-01-01", "final: false", "visibility: public",
        "consultation:", f"  {window}", "levels: [chapter, measure]", "---", "",
    ]
    for chapter in (1, 2):
        lines += [f"# Chapter {chapter} {{#ch-{chapter} wg=wg{chapter}}}", "",
                  f"Chapter {chapter} sets out what Signatories do.", ""]
        count = measures + (1 if number == 2 else 0)
        for m in range(1, count + 1):
            lines += [f"## Measure {chapter}.{m}: Keeping records {chapter}.{m} "
                      f"{{#m-{chapter}-{m}}}", "", _measure(chapter, m, number == 2), ""]
    return "\n".join(lines)


@dataclass
class Scaled:
    k: int
    slug: str
    rounds: dict[int, Round]
    participant: Any
    chair: Any
    secretariat: Any
    run: SynthesisRun
    theme: Theme
    key: str  # a measure of both rounds


def _comment(provision: Provision, author: Any, i: int, *, proposal: bool) -> Comment:
    return submit_comment(
        provision, author, stance=STANCES[i % len(STANCES)],
        body=f"Comment {i} on {provision.label}: the records should be kept longer.",
        quote="Signatories shall keep", publish_consent=i % 2 == 0,
        proposed_text="Signatories shall always keep" if proposal else None, bulk=True)


def build_scaled(k: int, make_user: Any) -> Scaled:
    """The Code `scale-k` and its accounts (see the module's docstring); committed."""
    slug = f"scale-{k}"
    participant = make_user(f"me{k}@example.org", name=f"Me {k}")
    chair = make_user(f"chair{k}@example.org", groups=[("wg1", "chair")])
    secretariat = make_user(f"sec{k}@example.org", role="secretariat")
    make_user(f"chair2-{k}@example.org", groups=[("wg2", "chair")])
    voices = [make_user(f"voice{k}-{i}@example.org", name=f"Voice {i}", organisation=f"Org {i}",
                        category=("industry", "academia", "civil_society")[i % 3])
              for i in range(2 * k)]  # fmt: skip
    measures = 3 * k
    first = import_round(round_markdown(slug, 1, measures), f"{slug}/1.md").round
    db.session.flush()
    wg1: list[Comment] = []
    i = 0
    for provision in first.provisions:
        if provision.kind != "measure":
            continue
        mine = _comment(provision, participant, i, proposal=True)
        for voice in voices[:2]:
            i += 1
            comment = _comment(provision, voice, i, proposal=i % 3 == 0)
            if provision.group is not None and provision.group.slug == "wg1":
                wg1.append(comment)
        submit_comment(provision, voices[-1], stance="neutral", body="A reply.", parent=mine,
                       bulk=True)
        mine.decision, mine.decision_reason, mine.decided_at = ("not_taken_up", "Elsewhere.",
                                                                utcnow())
        wg1.append(mine) if provision.group and provision.group.slug == "wg1" else None
    wg1[0].hidden_at, wg1[0].hidden_reason = utcnow(), "Off topic."
    db.session.flush()
    second = import_round(round_markdown(slug, 2, measures), f"{slug}/2.md").round
    db.session.flush()
    for provision in second.provisions:
        if provision.kind == "measure":
            i += 1
            _comment(provision, participant, i, proposal=False)
    from app.accounts.models import WorkingGroup

    group = db.session.query(WorkingGroup).filter_by(slug="wg1").one()
    chunks = [wg1[t::k] for t in range(k)]
    run, identities = make_run(first, group, [(f"Theme {t}", chunk)
                                              for t, chunk in enumerate(chunks)])
    for t, identity in enumerate(identities):
        answer(identity, ("accepted", "not_taken_up")[t % 2], f"Answer {t}.",
               [(second, f"m-1-{t + 1}")])
    first.closes_at = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    db.session.commit()
    theme = db.session.query(Theme).filter_by(run_id=run.id).order_by(Theme.position).first()
    assert theme is not None
    return Scaled(k, slug, {1: first, 2: second}, participant, chair, secretariat, run, theme,
                  "m-1-1")

"""Feedback behind the changes of the story code (tests/diffing/story.py), shared fixtures.

Round 2 (closed) m-edit, of wg1, received 7 comments: 2 support, 1 oppose, 4 amend, three of
the amendments with proposed wording (one decided accepted and published with consent, one
not taken up, one undecided). The chairs answered two themes of round 2: "Keep it maintained"
(accepted, linked to round 3's m-edit, 5 comments) and "Shorter text" (not taken up, 2
comments, no link). m-keep received one comment and no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.core.db import db, utcnow
from app.feedback.models import Comment
from app.synthesis.models import (
    ResponseProvision,
    SynthesisRun,
    Theme,
    ThemeIdentity,
    ThemeMember,
    ThemeResponse,
)


@dataclass
class Why:
    story: Any
    comments: list[Comment]
    accepted: Comment
    refused: Comment
    undecided: Comment
    answered: ThemeIdentity
    refused_theme: ThemeIdentity
    run: SynthesisRun
    authors: list[Any]


def make_run(round_: Any, group: Any, themes: list[tuple[str, list[Comment]]]) -> tuple[
        SynthesisRun, list[ThemeIdentity]]:
    """A finished run of a group scope with the given themes (no embedding needed)."""
    run = SynthesisRun(round=round_, scope_kind="group", group=group,
                       scope_key=f"group:{group.slug}", status="done",
                       comment_count=sum(len(c) for _, c in themes), finished_at=utcnow())
    db.session.add(run)
    identities = []
    for position, (title, members) in enumerate(themes):
        identity = ThemeIdentity(round_id=round_.id, scope_key=run.scope_key, title=title)
        categories: dict[str, int] = {}
        for c in members:
            categories[c.author.category] = categories.get(c.author.category, 0) + 1
        theme = Theme(run=run, identity=identity, position=position, label=title.lower(),
                      size=len(members), by_category=categories,
                      by_stance={"amend": len(members)}, independent_count=len(members))
        db.session.add_all([identity, theme])
        db.session.flush()
        db.session.add_all(ThemeMember(run_id=run.id, theme_id=theme.id, comment_id=c.id)
                           for c in members)
        identities.append(identity)
    db.session.flush()
    return run, identities


def answer(identity: ThemeIdentity, outcome: str, reason: str, links: list[tuple[Any, str]],
           published: bool = True) -> ThemeResponse:
    with db.session.no_autoflush:
        response = ThemeResponse(identity=identity, outcome=outcome, reason=reason,
                                 published=published)
        db.session.add(response)
        response.provisions = [ResponseProvision(round_id=r.id, provision_key=k)
                               for r, k in links]
    db.session.flush()
    return response


@pytest.fixture
def why(story: Any, create_user: Any, create_group: Any) -> Why:
    r2, r3 = story.rounds[2], story.rounds[3]
    edit = story.p[2, "m-edit"]
    authors = [create_user(f"voice{i}@example.org", name=f"Voice {i}",
                           organisation=f"Org {i}", category=cat)
               for i, cat in enumerate(["civil_society", "industry", "academia", "sme",
                                        "civil_society", "rightsholder", "industry"])]
    stances = ["support", "support", "oppose", "amend", "amend", "amend", "amend"]
    comments = []
    for i, (author, stance) in enumerate(zip(authors, stances, strict=True)):
        comment = Comment(round=r2, provision=edit, author=author, stance=stance,
                          body=f"Comment {i} on maintaining documentation.")
        if i >= 4:
            comment.proposed_text = ["Signatories shall maintain complete documentation.",
                                     "Signatories shall publish documentation.",
                                     "Signatories shall keep short documentation."][i - 4]
        db.session.add(comment)
        comments.append(comment)
    accepted, refused, undecided = comments[4], comments[5], comments[6]
    accepted.publish_consent = True
    accepted.decision, accepted.decided_at = "accepted", utcnow()
    refused.decision, refused.decision_reason = "not_taken_up", "Publication is elsewhere."
    refused.decided_at = utcnow()
    db.session.add(Comment(round=r2, provision=story.p[2, "m-keep"], author=authors[0],
                           stance="support", body="Keep it."))
    db.session.flush()
    run, (kept, shorter) = make_run(r2, create_group("wg1"), [
        ("Keep it maintained", comments[:5]), ("Shorter text", comments[5:])])
    answer(kept, "accepted", "The third draft now asks for complete documentation.",
           [(r3, "m-edit")])
    answer(shorter, "not_taken_up", "A short text would leave out what the AI Office needs.",
           [])
    db.session.commit()
    return Why(story, comments, accepted, refused, undecided, kept, shorter, run, authors)

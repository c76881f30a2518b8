"""The demo's decisions on proposed wording (`plenary demo`, app/demo.py): the demo
participant's own proposals on the second draft, and the chairs' decisions on every proposal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import WorkingGroup
from app.core.db import db, utcnow
from app.drafting.models import Round
from app.feedback.models import Comment

# The demo participant's own proposals on the second draft (published with her consent), and
# what the chairs decide: (label, quoted passage, proposed wording, decision, reason).
NORA = [
    ("Measure 3.3",
     "find out whether the dataset was compiled in compliance with robots.txt and other "
     "reservations of rights",
     "establish whether the supplier respected robots.txt and other reservations of rights "
     "when compiling it", "accepted", ""),
    ("Measure 4.2", "at least daily during longer crawls",
     "at least every 12 hours during longer crawls", "partly_accepted",
     "The third draft fixes the interval, at 24 hours rather than 12: providers showed that "
     "a shorter interval cannot be honoured by every crawler."),
    ("Measure 4.1", "such as paywalls, subscription models or login requirements",
     "such as paywalls, subscription models, login requirements or CAPTCHAs", "not_taken_up",
     "The third draft names effective technological measures in general instead of listing "
     "techniques that will change."),
]
DECIDED = {
    "partly_accepted": "The third draft takes up the direction of this proposal, not its exact "
                       "wording; see the linked answer in the register.",
    "not_taken_up": "The working group kept the approach of the second draft here; the "
                    "explanatory note to the third draft gives the reasons.",
}


def nora_proposals(round_: Round) -> None:
    """The demo participant comments on the second draft, proposing wording."""
    from app.drafting.services import find_provision
    from app.feedback.services import submit_comment

    nora = accounts.find_user("participant@plenary.example")
    for label, quote, proposed, _decision, _reason in NORA:
        provision = find_provision(round_, label)
        if nora is None or provision is None or quote not in provision.text:
            continue
        submit_comment(provision, nora, stance="amend", quote=quote, proposed_text=proposed,
                       body=f"Clearer and more precise: {proposed}.", publish_consent=True,
                       bulk=True, source="demo",
                       now=(round_.closes_at or utcnow()) - dt.timedelta(days=2))


def decide_proposals(round_: Round) -> None:
    """The chairs decide the second draft's proposals: the adoption check as a starting point,
    the demo participant's as NORA says, one in seven left undecided."""
    from app.feedback.carry import latest_carries
    from app.feedback.decisions import decide_proposal, proposals_query

    planned = {proposed: (decision, reason) for _l, _q, proposed, decision, reason in NORA}
    decided = story_moment(round_)
    proposals = list(db.session.scalars(proposals_query(round_)))
    carries = latest_carries(proposals)
    chairs = {m.group_id: m.user for g in db.session.scalars(select(WorkingGroup))
              for m in g.memberships if m.role == "chair"}
    for index, comment in enumerate(proposals):
        if comment.proposed_text in planned:
            decision, reason = planned[comment.proposed_text]
        elif index % 7 == 6:
            continue
        elif (carry := carries.get(comment.id)) is not None and carry.adopted:
            decision, reason = "accepted", ""
        else:
            decision = "partly_accepted" if index % 3 == 0 else "not_taken_up"
            reason = DECIDED[decision]
        decide_proposal(comment, decision, reason,
                        actor=chairs.get(comment.provision.group_id), now=decided)


def story_moment(round_: Round) -> dt.datetime:
    """When the chairs settled a round's feedback in the demo's story: three days before the
    next draft came out (now, if there is none yet)."""
    from app.drafting.services import neighbour_round

    later = neighbour_round(round_, 1)
    if later is not None and later.opens_at is not None:
        return min(later.opens_at - dt.timedelta(days=3), utcnow())
    return utcnow()


def date_the_story() -> None:
    """Answers and notifications dated when they happen in the story, not when it was loaded:
    a round's news when it opened, a decision's or an answer's when the chairs settled it."""
    from app.drafting.models import Round as RoundModel
    from app.notifications.models import Notification
    from app.synthesis.models import ThemeIdentity, ThemeResponse

    for response in db.session.scalars(select(ThemeResponse)):
        identity = db.session.get(ThemeIdentity, response.identity_id)
        round_ = db.session.get(RoundModel, identity.round_id) if identity else None
        if round_ is not None:
            response.responded_at = story_moment(round_)
    for note in db.session.scalars(select(Notification)):
        comment = db.session.get(Comment, note.comment_id) if note.comment_id else None
        round_ = db.session.get(RoundModel, note.round_id) if note.round_id else None
        when = None
        if note.kind == "proposal_decided" and comment is not None:
            when = comment.decided_at
        elif note.kind == "theme_answered" and round_ is not None:
            when = story_moment(round_)
        elif round_ is not None and round_.opens_at is not None:
            when = round_.opens_at
        if when is not None:
            note.created_at = min(when, utcnow())
    db.session.flush()


"""A synthesised scope for `bench_pages_scale`: one measure of generated comments, inserted in
bulk and synthesised with the hashing FAKE embedder (no model to load), so that the chairs'
run and theme pages can be timed on a small run and on a large one (from
PLENARY_SYNTHESIS_LARGE_FROM comments the run takes the large path: streamed, two stages,
written in bulk).

The comments: THEMES themes, each with its own words (a comment draws most of its words from
its theme and the rest from words every theme shares), campaign letters (CAMPAIGN_SHARE of the
comments: copies of one of CAMPAIGNS letters, a third of them with a sentence of the sender's
own), and a little noise ("+1"). Deterministic for a given size.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import insert, select

THEMES, CAMPAIGNS, CAMPAIGN_SHARE, NOISE_SHARE, AUTHORS = 16, 6, 0.08, 0.03, 300
INSERT_BATCH = 5000
CODE, KEY = "bench-synthesis", "m-1"
SECRETARIAT = "bench-secretariat@example.org"
_SYLLABLES = ("ka", "lo", "mer", "dis", "tan", "vor", "pel", "su", "rin", "gat", "fo", "nel",
              "bra", "ti", "mon", "ser", "ul", "pra", "che", "dom")
_NOISE = ("+1", "See attachment.", "Agreed.", "No comment.")
_CATEGORIES = ("civil_society", "industry", "sme", "academia", "rightsholder",
               "gpai_provider", "member_state")
_STANCES = ("support", "oppose", "amend", "question", "neutral")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def comments(n: int, seed: int = 7) -> list[str]:
    """`n` comment texts, as the module says."""
    rng = random.Random(seed)
    shared = [_word(rng) for _ in range(80)]
    own = [[_word(rng) for _ in range(40)] for _ in range(THEMES)]

    def sentence(theme: int, length: int) -> str:
        words = [rng.choice(own[theme]) if rng.random() < 0.65 else rng.choice(shared)
                 for _ in range(length)]
        return " ".join(words).capitalize() + "."

    letters = [" ".join(sentence(c % THEMES, 14) for _ in range(3)) for c in range(CAMPAIGNS)]
    texts = []
    for _ in range(n):
        draw = rng.random()
        if draw < NOISE_SHARE:
            texts.append(rng.choice(_NOISE))
        elif draw < NOISE_SHARE + CAMPAIGN_SHARE:
            letter = letters[min(CAMPAIGNS - 1, int(rng.expovariate(0.6)))]
            mine = rng.random() < 1 / 3
            texts.append(f"{letter} {sentence(rng.randrange(THEMES), 8)}" if mine else letter)
        else:
            theme = rng.randrange(THEMES)
            texts.append(" ".join(sentence(theme, rng.randint(9, 16))
                                  for _ in range(rng.randint(1, 3))))
    return texts


def build_scope(n: int) -> dict[str, Any]:
    """In an app context: the code, its measure, `n` comments and a finished run of the measure
    (with the FAKE embedder); returns the run's id and its largest theme's id."""
    from app.accounts.models import User
    from app.core.db import db
    from app.drafting.models import Code, Provision, Round
    from app.feedback.models import Comment
    from app.synthesis.models import Theme
    from app.synthesis.services import run_synthesis

    round_ = Round(code=Code(slug=CODE, title="Bench synthesis"), number=1, name="Draft",
                   visibility="public", levels=["measure"])
    db.session.add(round_)
    db.session.add(Provision(round=round_, key=KEY, kind="measure", depth=1, position=0,
                             label="Measure 1", number="1", title="A measure", body="",
                             body_html="", text="Providers shall keep records."))
    authors = [User(email=f"bench-voice{i}@example.org", name=f"Voice {i}",
                    organisation=f"Organisation {i % 40}",
                    category=_CATEGORIES[i % len(_CATEGORIES)], password_hash="x")
               for i in range(AUTHORS)]
    db.session.add_all(authors)
    if db.session.scalar(select(User).where(User.email == SECRETARIAT)) is None:
        db.session.add(User(email=SECRETARIAT, name="Bench secretariat", role="secretariat",
                            category="other", password_hash="x"))
    db.session.flush()
    provision = db.session.scalar(select(Provision).where(Provision.round_id == round_.id))
    rng = random.Random(n)
    rows = [{"round_id": round_.id, "provision_id": provision.id, "body": text,
             "author_id": authors[rng.randrange(AUTHORS)].id, "stance": rng.choice(_STANCES)}
            for text in comments(n)]
    for start in range(0, len(rows), INSERT_BATCH):
        db.session.execute(insert(Comment), rows[start : start + INSERT_BATCH])
    db.session.commit()
    run = run_synthesis(round_, provision=KEY)
    db.session.commit()
    largest = db.session.scalar(select(Theme.id).where(Theme.run_id == run.id)
                                .order_by(Theme.size.desc(), Theme.id).limit(1))
    return {"run": run.id, "theme": largest, "message": run.message}

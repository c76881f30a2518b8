"""Fixtures of the trust tests: comments written straight to the database, a secretariat."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import db


@pytest.fixture
def seeded_round(
    database: Any, create_user: Any, create_round: Any, create_provision: Any, create_comment: Any
) -> SimpleNamespace:
    """A small public round open for comment: a chapter, two measures, a comment, a reply."""
    secretariat = create_user("secretariat@example.org", name="Sam Secretariat", role="secretariat")
    chair = create_user("chair@example.org", name="Chris Chair", groups=[("wg1", "chair")])
    participant = create_user("participant@example.org", name="Pat Participant")
    round_ = create_round(1, visibility="public", window="open")
    chapter = create_provision(
        round_,
        "c1",
        label="Chapter 1",
        title="Transparency",
        body="Signatories keep records.",
        kind="chapter",
    )
    measure = create_provision(
        round_, "m1", label="Measure 1.1", title="Documentation", parent=chapter
    )
    other = create_provision(
        round_,
        "m2",
        label="Measure 1.2",
        title="Publication",
        body="Signatories publish a summary each year.",
        parent=chapter,
    )
    comment = create_comment(
        measure, participant, body="Please define documentation.", external_id="ext-1"
    )
    reply = create_comment(measure, chair, body="We will.", parent=comment)
    return SimpleNamespace(
        secretariat=secretariat,
        chair=chair,
        participant=participant,
        round=round_,
        chapter=chapter,
        measure=measure,
        other=other,
        comment=comment,
        reply=reply,
    )


SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
LINK = "[click me](javascript:alert(1))"
HOSTILE = f"{SCRIPT} {ATTRIBUTE} {TEMPLATE}"
HOSTILE_FILE_NAME = f"{ATTRIBUTE}<script>alert(1) {TEMPLATE}.md"  # a file name has no "/"

HOSTILE_ROUND = """---
code: xss-code
title: 'Code {hostile}'
round: {number}
name: 'Draft {hostile}'
visibility: public
levels: [chapter, measure]
---

# Transparency `{hostile}` {{#transparency wg=wg1}}

Chapter preamble `{hostile}` {link}.

## Measure 1.1: Documentation `{hostile}`

Signatories shall keep `{hostile}` documentation up to date, see {link} and
{template}{extra}.

## Measure 1.2: Training data summary `{hostile}`

Signatories shall publish a summary `{hostile}` of the content used to train the model{extra}.
"""


@pytest.fixture
def hostile_world(
    app: Any, database: Any, create_user: Any, create_group: Any, client: Any, auth: Any
) -> SimpleNamespace:
    """Script payloads everywhere a person or a draft file can put text.

    Two public rounds of `xss-code` uploaded through the secretariat's page (as a file whose
    name is itself a payload; the parser refuses raw HTML outside code spans); round 1 open
    for comment, with a comment (body, quote, proposed wording), a reply, and a synthesis
    whose theme a chair renamed, annotated and answered; the chair's group has a payload name.
    """
    import datetime as dt

    from app.drafting import services as drafting
    from app.drafting.models import Code
    from app.feedback import services as feedback
    from app.synthesis import workspace
    from app.synthesis.services import run_synthesis

    create_group("wg1", f"Group {HOSTILE}")
    secretariat = create_user(
        "sec@example.org", name=f"Sec {HOSTILE}", role="secretariat", organisation=f"Org {HOSTILE}"
    )
    chair = create_user("chair@example.org", name=f"Chair {HOSTILE}", groups=[("wg1", "chair")])
    author = create_user(
        "author@example.org",
        name=f"Author {HOSTILE}",
        organisation=f'=HYPERLINK("http://evil.example") {HOSTILE}',
    )
    auth.login("sec@example.org")
    uploads = []
    for number, extra in ((1, ""), (2, " and reviewed every year")):
        text = HOSTILE_ROUND.format(
            hostile=HOSTILE, link=LINK, template=TEMPLATE, number=number, extra=extra
        )
        # As a browser sends it: the quote percent-encoded inside the multipart header.
        data = {
            "file": (io.BytesIO(text.encode()), HOSTILE_FILE_NAME.replace('"', "%22")),
            "csrf_token": auth.csrf_token("/admin/drafts"),
        }
        response = client.post("/admin/drafts", data=data, follow_redirects=True)
        assert response.status_code == 200
        uploads.append(response.get_data(as_text=True))
    auth.logout()
    code = db.session.scalar(select(Code).where(Code.slug == "xss-code"))
    assert code is not None, "the hostile round file was not imported"
    round1, round2 = sorted(code.rounds, key=lambda r: r.number)
    now = dt.datetime.now(dt.UTC)
    drafting.set_window(round1, now - dt.timedelta(days=1), now + dt.timedelta(days=7), None)
    measure = next(p for p in round1.provisions if p.kind == "measure")
    comment = feedback.submit_comment(
        measure,
        author,
        stance="amend",
        body=f"=1+2 {HOSTILE} {LINK}",
        quote=SCRIPT,
        proposed_text=f"@SUM(1) {HOSTILE}",
        publish_consent=True,
    )
    reply = feedback.submit_comment(
        measure, chair, stance="question", parent=comment, body=f"-Reply {HOSTILE}"
    )
    db.session.commit()
    previous = app.config.get("PLENARY_FAKE_EMBEDDER")
    app.config["PLENARY_FAKE_EMBEDDER"] = True
    try:
        run = run_synthesis(round1, provision=measure)
    finally:
        app.config["PLENARY_FAKE_EMBEDDER"] = previous
    theme = run.themes[0]
    workspace.rename_theme(theme, f"Theme {HOSTILE}", actor=chair)
    workspace.set_note(theme, f"Note {HOSTILE}", actor=chair)
    later = next(p for p in round2.provisions if p.kind == "measure")
    workspace.respond(theme, "accepted", f"Because {HOSTILE}", [later.key], actor=chair)
    db.session.commit()
    return SimpleNamespace(
        secretariat=secretariat,
        chair=chair,
        author=author,
        code=code,
        round1=round1,
        round2=round2,
        measure=measure,
        comment=comment,
        reply=reply,
        run=run,
        theme=theme,
        uploads=uploads,
    )

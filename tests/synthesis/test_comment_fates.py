"""My feedback shows each comment's answered theme: the chairs' published answer to the theme
it is part of (or to the theme that was merged into), never an unpublished one, and only
where the author may see the round's register."""

from __future__ import annotations

from typing import Any

from app.accounts.services import set_password
from app.core.db import db
from app.synthesis import workspace
from app.synthesis.fates import answered_themes_of
from app.synthesis.services import run_synthesis
from tests.conftest import PASSWORD


def _themes(feedback: Any) -> dict[str, Any]:
    feedback["round"].visibility = "public"
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    return {prefix: next(t for t in run.themes if any(
        (m.comment.external_id or "").startswith(prefix) for m in t.members))
        for prefix in ("upd", "sme")}


def _comment_of(theme: Any) -> Any:
    return theme.members[0].comment


def test_the_author_sees_the_published_answer_to_their_theme_on_my_feedback(
    client: Any, auth: Any, feedback: Any
) -> None:
    themes = _themes(feedback)
    workspace.respond(themes["upd"], "accepted", "Six-month cycle adopted.", ["documentation"],
                      actor=None)
    db.session.commit()
    comment = _comment_of(themes["upd"])
    set_password(comment.author, PASSWORD)
    db.session.commit()
    auth.login(comment.author.email)
    html = client.get("/my/feedback").get_data(as_text=True)
    ident = themes["upd"].identity_id
    kept = themes["upd"].identity.title or f"Theme {ident}"  # as the register names it
    assert f"Part of the theme “{kept}”" in html
    assert "Six-month cycle adopted." in html and "Accepted" in html
    assert f"/codes/demo-code/rounds/1/register#theme-{ident}" in html


def test_an_unpublished_answer_or_an_unanswered_theme_is_not_shown(feedback: Any) -> None:
    themes = _themes(feedback)
    response = workspace.respond(themes["upd"], "accepted", "Draft answer.", [], actor=None)
    response.published = False
    db.session.commit()
    for theme in themes.values():
        comment = _comment_of(theme)
        assert answered_themes_of([comment], comment.author) == {}


def test_a_merged_theme_shows_the_answer_of_the_theme_it_became_part_of(feedback: Any) -> None:
    themes = _themes(feedback)
    comment = _comment_of(themes["sme"])
    workspace.merge_themes(themes["sme"], themes["upd"], actor=None)
    workspace.respond(themes["upd"], "partly_accepted", "Forms simplified a little.", [],
                      actor=None)
    db.session.commit()
    fate = answered_themes_of([comment], comment.author)[comment.id]
    assert (fate.outcome, fate.answer) == ("partly_accepted", "Forms simplified a little.")


def test_the_answers_of_many_comments_cost_a_fixed_number_of_queries(feedback: Any) -> None:
    from sqlalchemy import event

    themes = _themes(feedback)
    for theme, outcome in ((themes["upd"], "accepted"), (themes["sme"], "not_taken_up")):
        workspace.respond(theme, outcome, "Answered.", [], actor=None)
    db.session.commit()
    comments = [m.comment for t in themes.values() for m in t.members]
    for comment in comments:  # loaded as My feedback has them: round and code included
        _ = comment.round.code.slug
    statements: list[str] = []

    def listen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        fates = answered_themes_of(comments, comments[0].author)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(fates) == len(comments) > 4
    assert len(statements) <= 5, statements

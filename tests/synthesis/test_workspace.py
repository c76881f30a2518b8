"""Chairs' edits: they change the run at once and survive a re-run of the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.db import db, utcnow
from app.core.errors import BadInput, Conflict, NotFound
from app.synthesis import workspace
from app.synthesis.export import synthesis_document
from app.synthesis.models import ThemeMove
from app.synthesis.services import run_synthesis


def _run(feedback: Any) -> Any:
    run = run_synthesis(feedback["round"], provision="documentation")
    db.session.commit()
    return run


def _withdraw(feedback: Any, comment: Any) -> None:
    """Withdraw `comment` (its round's window opened for it) with what is pending committed."""
    from app.feedback import services as feedback_services

    db.session.commit()
    feedback["round"].opens_at = utcnow() - dt.timedelta(days=1)  # a window open to withdraw
    feedback["round"].closes_at = utcnow() + dt.timedelta(days=1)
    feedback_services.withdraw_comment(comment)
    db.session.commit()
    db.session.expire_all()


def _theme_with(run: Any, prefix: str) -> Any:
    return next(t for t in run.themes
                if any((m.comment.external_id or "").startswith(prefix) for m in t.members))


def test_a_renamed_theme_keeps_its_title_after_a_re_run(feedback: Any) -> None:
    run = _run(feedback)
    workspace.rename_theme(_theme_with(run, "sme"), "  Burden on SMEs ", actor=None)
    again = _run(feedback)
    assert _theme_with(again, "sme").display_label == "Burden on SMEs"
    assert _theme_with(again, "sme").label != "Burden on SMEs"


def test_a_theme_whose_comments_did_not_change_keeps_its_generated_title(
    feedback: Any, add_comments: Any
) -> None:
    run = _run(feedback)
    smes = _theme_with(run, "sme")
    smes.label = "The title the chairs last saw"  # generated, not the chairs' (no rename)
    db.session.commit()
    add_comments(feedback["doc"], ["Energy use of training should be reported per run.",
                                   "Report the energy of each training run, please."],
                 prefix="nrg")  # a change elsewhere, which may move every title's contrast
    again = _run(feedback)
    assert _theme_with(again, "sme").label == "The title the chairs last saw"
    assert _theme_with(again, "sme").identity.title is None
    # a theme that changed is titled afresh
    changed = _theme_with(again, "nrg")
    assert changed.label != "The title the chairs last saw"
    # and a title another theme now has is not kept: two themes would share one name
    _theme_with(again, "sme").label = _theme_with(again, "upd").label
    db.session.commit()
    third = _run(feedback)
    assert _theme_with(third, "sme").label != _theme_with(third, "upd").label


def test_merged_themes_stay_merged_after_a_re_run(feedback: Any) -> None:
    run = _run(feedback)
    themes_before = len(run.themes)
    target = workspace.merge_themes(_theme_with(run, "upd"), _theme_with(run, "sme"),
                                    actor=None)
    assert target.size == 11 and len(run.themes) == themes_before - 1
    again = _run(feedback)
    assert len(again.themes) == themes_before - 1
    merged = _theme_with(again, "upd")
    assert merged.size == 11 and merged is _theme_with(again, "sme")
    named = synthesis_document(again)
    assert sum(len(t["comments"]) for t in named["themes"]) + len(named["unassigned"]) == 22


def test_not_relevant_and_notes_survive_a_re_run(feedback: Any) -> None:
    run = _run(feedback)
    workspace.set_not_relevant(_theme_with(run, "upd"), True, actor=None)
    workspace.set_note(_theme_with(run, "sme"), "Ask the SME envoy.", actor=None)
    again = _run(feedback)
    assert _theme_with(again, "upd").identity.not_relevant is True
    assert _theme_with(again, "sme").identity.note == "Ask the SME envoy."
    flagged = _theme_with(again, "upd").identity_id
    exported = next(t for t in synthesis_document(again)["themes"] if t["id"] == flagged)
    assert exported.get("not_relevant") is True


def test_a_moved_comment_stays_moved_after_a_re_run(feedback: Any) -> None:
    run = _run(feedback)
    smes, updates = _theme_with(run, "sme"), _theme_with(run, "upd")
    moving = smes.members[0].comment_id
    workspace.move_comment(run, moving, updates, actor=None)
    assert moving in {m.comment_id for m in updates.members}
    assert smes.size == 4 and updates.size == 7
    again = _run(feedback)
    assert moving in {m.comment_id for m in _theme_with(again, "upd").members}
    member = next(m for m in again.members if m.comment_id == moving)
    assert member.moved is True


def test_moved_comments_seed_the_next_run_and_their_neighbours_follow(
    feedback: Any, add_comments: Any
) -> None:
    """A chair's move teaches the next run: a comment much like the moved one (here: sharing
    its words, as the fake embedder sees it) joins the theme the chair chose."""
    twin = "SMEs need lighter reporting forms because the compliance cost is high for them."
    add_comments(feedback["doc"], [twin, twin.replace("lighter", "simpler")],
                 category="sme", stance="oppose", prefix="twin")
    run = _run(feedback)
    first, second = (m for m in run.members if (m.comment.external_id or "").startswith("twin"))
    assert first.theme_id == second.theme_id
    target = next(t for t in run.themes if t.id != first.theme_id)
    workspace.move_comment(run, first.comment_id, target, actor=None)
    again = _run(feedback)
    moved, follower = (m for m in again.members
                       if (m.comment.external_id or "").startswith("twin"))
    assert moved.theme_id == follower.theme_id
    assert moved.theme.identity_id == target.identity_id


def test_titles_and_summaries_are_chosen_when_a_run_is_built(feedback: Any) -> None:
    run = _run(feedback)
    for theme in run.themes:
        assert theme.label and theme.label != "(no keywords)"
        bodies = " ".join(m.comment.body for m in theme.members)
        assert theme.summary and theme.summary.split(". ")[0].rstrip(".") in bodies


def test_a_comment_can_be_moved_to_unassigned(feedback: Any) -> None:
    run = _run(feedback)
    moving = _theme_with(run, "sme").members[0].comment
    workspace.move_comment(run, moving.id, None, actor=None)
    assert moving.name in synthesis_document(run)["unassigned"]


def test_splitting_a_theme_makes_two_themes_of_its_comments(feedback: Any) -> None:
    run = _run(feedback)
    merged = workspace.merge_themes(_theme_with(run, "sme"), _theme_with(run, "upd"),
                                    actor=None)
    count = len(run.themes)
    new = workspace.split_theme(merged, actor=None)
    assert len(run.themes) == count + 1
    parts = [{(m.comment.external_id or "")[:3] for m in t.members} for t in (merged, new)]
    assert sorted(map(sorted, parts)) == [["sme"], ["upd"]]


def test_a_split_stays_split_after_a_re_run_with_its_mark_and_answer(feedback: Any) -> None:
    # Merged, then split: the part split off keeps its identity in the next run, and with it
    # what the chairs did to it (a "not relevant" mark, a published answer).
    run = _run(feedback)
    merged = workspace.merge_themes(_theme_with(run, "sme"), _theme_with(run, "upd"),
                                    actor=None)
    new = workspace.split_theme(merged, actor=None)
    split_off = {m.comment_id for m in new.members}
    workspace.set_not_relevant(new, True, actor=None)
    workspace.respond(new, "accepted", "Kept apart on purpose.", [], actor=None)
    db.session.commit()
    again = _run(feedback)
    [kept] = [t for t in again.themes if t.identity_id == new.identity_id]
    assert {m.comment_id for m in kept.members} == split_off
    assert kept.identity.not_relevant is True and kept.identity.response is not None
    assert len(again.themes) == len(run.themes)


@pytest.mark.parametrize("inline", [True, False])
def test_a_comment_withdrawn_after_a_run_leaves_it_and_its_figures(
    feedback: Any, inline: bool, monkeypatch: Any
) -> None:
    # "Shown to nobody else, no longer counted, grouped or answered": also in a run made before.
    # A large run's figures are recomputed by a queued task (run inline here, HUEY_IMMEDIATE).
    from app.synthesis import listeners

    queued: list[tuple[int, int]] = []
    task = listeners.refresh_after_withdrawal
    monkeypatch.setattr(listeners, "refresh_after_withdrawal",
                        lambda *args: (queued.append(args), task(*args)))
    if not inline:
        monkeypatch.setattr(listeners, "INLINE_REFRESH", 5)
    run = _run(feedback)
    theme = _theme_with(run, "sme")
    size, gone = theme.size, theme.members[0].comment
    theme.summary = f"{gone.body} Another sentence."
    _withdraw(feedback, gone)
    theme = _theme_with(run, "sme")
    assert theme.size == size - 1 and gone.id not in {m.comment_id for m in theme.members}
    assert gone.id not in theme.representatives and theme.summary == ""
    named = synthesis_document(run)
    listed = [c for t in named["themes"] for c in t["comments"]] + named["unassigned"]
    assert gone.name not in listed and gone.id not in listed
    assert run.message.startswith(f"{len(run.members)} comments")
    assert queued == ([] if inline else [(run.id, gone.id)])
    kept = theme.members[0].comment  # a task that came before the withdrawal was committed
    with pytest.raises(listeners.NotYetCommitted):
        task.call_local(run.id, kept.id)


@pytest.mark.parametrize("summary", [
    "Is the form the right one? {quoted}",  # after a question, not after ". "
    "{quoted}? And another sentence!",
])
def test_a_summary_quoting_a_withdrawn_comment_is_cleared_however_its_sentences_end(
    feedback: Any, summary: str
) -> None:

    run = _run(feedback)
    theme = _theme_with(run, "sme")
    gone = theme.members[0].comment
    sentence = " ".join(gone.body.split()).rstrip(".!?")
    # As a summary writes it: its first letter in upper case, its own stop or the summary's.
    theme.summary = summary.format(quoted=sentence[:1].upper() + sentence[1:])
    _withdraw(feedback, gone)
    assert _theme_with(run, "sme").summary == ""


def test_a_theme_of_identical_comments_cannot_be_split(
    create_round: Any, create_provision: Any, add_comments: Any
) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "same")
    add_comments(provision, ["Delete this measure, it repeats the law."] * 3)
    run = run_synthesis(round_, provision="same")
    with pytest.raises(BadInput):
        workspace.split_theme(run.themes[0], actor=None)


def test_a_split_that_would_leave_one_comment_alone_is_refused(
    create_round: Any, create_provision: Any, add_comments: Any
) -> None:
    round_ = create_round(1)
    provision = create_provision(round_, "lone")
    add_comments(provision, ["Delete this measure, it repeats the law."] * 4
                 + ["Energy figures should be reported per training run."])
    run = run_synthesis(round_, provision="lone")
    theme = workspace.merge_themes(*run.themes, actor=None) if len(run.themes) > 1 else (
        run.themes[0])
    with pytest.raises(BadInput, match="single comment"):
        workspace.split_theme(theme, actor=None)
    assert len(run.themes) == 1


def test_an_older_run_can_no_longer_be_edited(feedback: Any) -> None:
    old = _run(feedback)
    _run(feedback)
    with pytest.raises(Conflict):
        workspace.rename_theme(old.themes[0], "Too late", actor=None)
    # nor answered from a tab left open on it: its figures are no longer the scope's
    with pytest.raises(Conflict):
        workspace.respond(old.themes[0], "accepted", "Done.", [], actor=None)
    assert old.themes[0].identity.response is None


def test_every_chair_edit_is_audit_logged(feedback: Any, create_user: Any) -> None:
    chair = create_user("chair@example.org", groups=[("wg1", "chair")])
    run = _run(feedback)
    theme = _theme_with(run, "sme")
    workspace.rename_theme(theme, "SMEs", actor=chair)
    workspace.set_note(theme, "note", actor=chair)
    workspace.merge_themes(_theme_with(run, "upd"), _theme_with(run, "cr"), actor=chair)
    workspace.respond(theme, "accepted", "Simplified forms added.", [], actor=chair)
    actions = set(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == chair.id)))
    assert actions == {"synthesis.theme.rename", "synthesis.theme.note",
                       "synthesis.theme.merge", "synthesis.theme.respond"}


def test_a_response_links_provisions_of_the_next_round(feedback: Any) -> None:
    run = _run(feedback)
    theme = _theme_with(run, "sme")
    response = workspace.respond(theme, "partly_accepted", "Forms simplified for SMEs only.",
                                 ["sme-forms"], actor=None)
    assert [link.provision_key for link in response.provisions] == ["sme-forms"]
    assert response.outcome_name == "Partly accepted"
    with pytest.raises(BadInput):
        workspace.respond(theme, "partly_accepted", "Reason.", ["not-there"], actor=None)
    with pytest.raises(BadInput):  # the name before CONTRACT §7
        workspace.respond(theme, "partly", "Reason.", [], actor=None)
    with pytest.raises(BadInput):
        workspace.respond(theme, "maybe", "Reason.", [], actor=None)


def test_text_that_shows_nothing_is_no_title_answer_or_note(feedback: Any) -> None:
    run = _run(feedback)
    theme = _theme_with(run, "sme")
    workspace.rename_theme(theme, "\u200b\u200b", actor=None)  # as if emptied: generated
    assert theme.identity.title is None and theme.display_label == theme.label
    with pytest.raises(BadInput, match="reason"):
        workspace.respond(theme, "partly_accepted", "\u200b \u200b", [], actor=None)
    assert theme.identity.response is None
    workspace.set_note(theme, "\u200b\u2060", actor=None)
    assert theme.identity.note == ""
    with pytest.raises(BadInput, match="needs a title"):
        workspace.add_codebook_entry(run.round, run.scope_key, "\u200b", "", actor=None)


def test_a_response_survives_a_re_run(feedback: Any) -> None:
    run = _run(feedback)
    workspace.respond(_theme_with(run, "sme"), "accepted", "Done.", [], actor=None)
    again = _run(feedback)
    assert _theme_with(again, "sme").identity.response.outcome == "accepted"


def test_codebook_themes_take_the_comments_that_fit_them(feedback: Any) -> None:
    run = _run(feedback)
    workspace.add_codebook_entry(
        run.round, run.scope_key, "SME reporting burden",
        "Simplified reporting forms for SMEs and start-ups because of compliance cost",
        actor=None)
    again = _run(feedback)
    coded = next(t for t in again.themes if t.identity.codebook_entry is not None)
    assert coded.label == "SME reporting burden"
    assert {(m.comment.external_id or "")[:3] for m in coded.members} == {"sme"}


def test_a_codebook_title_is_unique_per_scope(feedback: Any) -> None:
    run = _run(feedback)
    workspace.add_codebook_entry(run.round, run.scope_key, "Costs", "", actor=None)
    with pytest.raises(Conflict):
        workspace.add_codebook_entry(run.round, run.scope_key, "costs", "", actor=None)


def test_a_published_answer_can_be_edited_but_not_withdrawn(feedback: Any) -> None:
    from app.record.models import LogEntry

    def logged() -> int:
        return len(db.session.scalars(
            select(LogEntry).where(LogEntry.kind == "answer_published")).all())  # fmt: skip

    theme = _theme_with(_run(feedback), "sme")
    workspace.respond(theme, "partly_accepted", "Forms simplified.", ["sme-forms"], actor=None)
    first = logged()
    # Saved again as it stands (the form comes back with its provision ticked): no error, no
    # second entry in the public log.
    response = workspace.respond(theme, "partly_accepted", "Forms simplified.", ["sme-forms"],
                                 actor=None)
    db.session.flush()
    assert [link.provision_key for link in response.provisions] == ["sme-forms"]
    assert logged() == first
    # A changed reason with the same provision is a new version of the answer, logged.
    workspace.respond(theme, "partly_accepted", "Forms simplified for SMEs.", ["sme-forms"],
                      actor=None)
    assert logged() == first + 1
    with pytest.raises(BadInput, match="stays on the public register"):
        workspace.respond(theme, "partly_accepted", "Forms simplified for SMEs.", ["sme-forms"],
                          published=False, actor=None)
    assert theme.identity.response.published


def test_several_comments_move_at_once_and_each_move_is_remembered(feedback: Any) -> None:
    run = _run(feedback)
    smes, updates = _theme_with(run, "sme"), _theme_with(run, "upd")
    moving = [m.comment_id for m in smes.members[:3]]
    assert workspace.move_comments(run, moving, updates, actor=None) == 3
    assert set(moving) <= {m.comment_id for m in updates.members}
    moves = db.session.scalars(select(ThemeMove).where(ThemeMove.comment_id.in_(moving))).all()
    assert len(moves) == 3 and {m.identity_id for m in moves} == {updates.identity_id}
    with pytest.raises(NotFound):
        workspace.move_comments(run, [moving[0], 10**9], updates, actor=None)


def test_a_theme_id_freed_by_a_merge_is_never_given_to_another_theme(feedback: Any) -> None:
    # A chair's form left open on a merged-away theme must not act on a theme made later: the
    # freed id (the highest, which SQLite without AUTOINCREMENT hands out again) stays unused.
    from app.synthesis.models import Theme

    run = _run(feedback)
    upd, sme = _theme_with(run, "upd"), _theme_with(run, "sme")
    source, target = (upd, sme) if upd.id > sme.id else (sme, upd)
    freed = source.id
    assert freed == max(t.id for t in run.themes)
    merged = workspace.merge_themes(source, target, actor=None)
    db.session.commit()
    assert db.session.get(Theme, freed) is None
    new = workspace.split_theme(merged, actor=None)
    db.session.commit()
    assert new.id > freed
    assert db.session.get(Theme, freed) is None

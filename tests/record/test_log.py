"""The log is appended in the same transaction as each event, and only ever appended."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import delete, func, select, update

from app.core import hooks
from app.core.db import db
from app.feedback import services as feedback
from app.feedback.models import Comment
from app.record import events, merkle, services, signing
from app.record.canonical import canonical_json, commitment
from app.record.models import LogEntry, LogHead, LogNode, LogState
from app.record.tasks import close_due_windows
from tests.record.conftest import ROOT, TEXT, entries, leaf, post


def count(model, column) -> int:
    return db.session.scalar(select(func.count(column))) or 0


def test_a_comment_is_logged_with_a_salted_commitment_a_node_and_a_signed_head(
    client, provision, headers
):
    comment_id = post(client, headers, body="Keep it for ten years.").get_json()["id"]
    [entry] = entries("comment")
    comment = db.session.get(Comment, comment_id)
    assert (entry.comment_id, entry.round_id) == (comment_id, comment.round_id)
    assert leaf(entry) == {"type": "comment", "comment": comment_id,
                           "commitment": commitment(entry.salt, events.comment_form_of(comment)),
                           "logged_at": leaf(entry)["logged_at"]}  # fmt: skip
    assert entry.leaf == canonical_json(leaf(entry)).decode()
    assert entry.leaf_hash == hashlib.sha256(b"\x00" + entry.leaf.encode()).hexdigest()
    assert db.session.get(LogNode, (0, entry.leaf_index)).hash == entry.leaf_hash
    head = db.session.get(LogHead, entry.leaf_index + 1)
    key = signing.current_key()
    assert signing.verify(key.public_key, signing_message(head), head.signature)
    assert head.root_hash == services.root_at(entry.leaf_index + 1).hex()


def signing_message(head: LogHead) -> bytes:
    return canonical_json({"tree_size": head.tree_size, "root_hash": head.root_hash,
                           "timestamp": head.timestamp, "key_id": head.key_id})  # fmt: skip


def test_rolling_back_the_comment_rolls_back_its_leaf(provision, author):
    savepoint = db.session.begin_nested()
    feedback.submit_comment(provision, author, stance="support", body="Rolled back.")
    assert len(entries()) == 1
    savepoint.rollback()
    assert (count(Comment, Comment.id), count(LogEntry, LogEntry.leaf_index)) == (0, 0)
    assert (count(LogNode, LogNode.hash), count(LogHead, LogHead.tree_size)) == (0, 0)


def test_a_failing_append_fails_the_comment_too(client, provision, headers, monkeypatch):
    def broken(*args, **kwargs):
        raise services.LogCorrupt("the disk is full")

    monkeypatch.setattr(services, "_write", broken)
    response = post(client, headers)
    assert response.status_code == 500
    monkeypatch.undo()
    assert count(Comment, Comment.id) == 0 and entries() == []


def test_production_without_a_key_refuses_to_log_and_so_to_store(app, client, provision, headers,
                                                                   monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "PLENARY_ENV", "production")
    monkeypatch.delitem(app.config, signing.KEY_VARIABLE, raising=False)
    monkeypatch.delenv(signing.KEY_VARIABLE, raising=False)
    with pytest.raises(signing.LogKeyMissing):
        signing.current_key()
    assert post(client, headers).status_code == 500
    monkeypatch.undo()
    assert count(Comment, Comment.id) == 0


def test_edits_withdrawals_and_hiding_are_new_entries_nothing_rewritten(
    provision, author, create_user
):
    secretariat = create_user("sec@example.org", role="secretariat")
    comment = feedback.submit_comment(provision, author, stance="amend", body="First words.")
    first = entries()[0].leaf
    feedback.edit_comment(comment, body="Second words.")
    feedback.hide_comment(comment, "off topic", secretariat)
    feedback.unhide_comment(comment, secretariat)
    feedback.withdraw_comment(comment)
    logged = entries()
    assert [e.kind for e in logged] == ["comment", "comment_edited", "comment_hidden",
                                        "comment_hidden", "comment_withdrawn"]  # fmt: skip
    assert [e.leaf_index for e in logged] == [0, 1, 2, 3, 4]
    assert logged[0].leaf == first
    assert [leaf(e).get("hidden") for e in logged[2:4]] == [True, False]
    edited = logged[1]
    assert leaf(edited)["commitment"] == commitment(edited.salt, events.comment_form_of(comment))
    assert edited.salt != logged[0].salt
    assert events.comment_form_of(comment)["body"] == "Second words."
    assert all(leaf(e)["comment"] == comment.id for e in logged)


def test_private_comment_text_is_in_no_leaf_and_no_log_answer(client, provision, headers):
    from tests.record.conftest import SECRET_BODY

    response = post(client, headers, body=SECRET_BODY, quote="within fourteen days",
                    proposed_text="within ninety confidential days")  # fmt: skip
    assert response.status_code == 201
    receipt = response.get_json()["receipt"]
    comment_id = response.get_json()["id"]
    feedback.edit_comment(db.session.get(Comment, comment_id), body=SECRET_BODY + " Edited.")
    db.session.commit()
    size = services.tree_size()
    answers = [client.get(path).get_data(as_text=True) for path in (
        "/api/v1/log", "/api/v1/log/key", "/api/v1/log/entries",
        f"/api/v1/log/proof/inclusion?leaf_index=0&tree_size={size}",
        f"/api/v1/log/proof/consistency?first=1&second={size}", "/record")]  # fmt: skip
    stored = [e.leaf for e in entries()]
    for secret in ("confidential red-team", "ninety confidential", "within fourteen days",
                   receipt["salt"]):  # fmt: skip
        assert not any(secret in text for text in answers + stored), secret


def test_publishing_a_round_logs_the_hash_of_its_source(database, create_group):
    from app.drafting.importer import import_path
    from app.drafting.services import set_visibility

    for slug in ("wg1", "wg2", "wg3", "wg4"):
        create_group(slug)
    [result] = import_path(ROOT / "drafts/gpai-code/1.md")
    round_ = result.round
    [entry] = entries("round_published")
    assert leaf(entry) | {"logged_at": None} == {
        "type": "round_published", "code": "gpai-code", "round": 1, "visibility": "public",
        "final": False, "source_sha256": round_.source_hash, "logged_at": None}  # fmt: skip
    round_.visibility = "internal"
    set_visibility(round_, "plenary", actor=None)
    assert [leaf(e)["visibility"] for e in entries("round_published")] == ["public", "plenary"]


def test_a_closed_window_is_logged_once_with_the_root_of_its_comment_set(
    create_round, create_provision, author
):
    round_ = create_round(2, window="closed")
    provision = create_provision(round_, "m-1", body=TEXT)
    internal = create_round(3, window="closed", visibility="internal")
    comments = [feedback.submit_comment(provision, author, stance="support", body=f"Late {n}.",
                                        bulk=True) for n in range(3)]  # fmt: skip
    db.session.execute(update(Comment).where(Comment.id == comments[1].id)
                       .values(status="withdrawn"))  # fmt: skip
    events.log_withdrawal(comments[1])
    db.session.commit()
    first = events.close_windows()
    again = events.close_windows()
    assert [e.round_id for e in first] == [round_.id] and again == []
    [closing] = entries("window_closed")
    members, withdrawn = events.comment_set(round_.id, before=closing.leaf_index)
    assert [m[0] for m in members] == [c.id for c in comments] and withdrawn == 1
    expected_root = merkle.fold(_edge([canonical_json({"comment": cid, "leaf_hash": lh})
                                       for cid, lh in members])).hex()  # fmt: skip
    assert leaf(closing) | {"logged_at": None} == {
        "type": "window_closed", "code": "demo-code", "round": 2, "comments": 3, "withdrawn": 1,
        "closes_at": leaf(closing)["closes_at"], "comments_root": expected_root,
        "logged_at": None}  # fmt: skip
    assert close_due_windows() == 0
    internal.visibility = "public"  # published later: its closing is logged then, once
    db.session.commit()
    assert close_due_windows() == 1
    assert len(entries("window_closed")) == 2
    internal.closes_at = internal.closes_at + dt.timedelta(minutes=1)  # closed again, later
    db.session.commit()
    assert len(events.close_windows()) == 1


def _edge(leaves: list[bytes]) -> list[bytes]:
    edge: list[bytes] = []
    for index, data in enumerate(leaves):
        edge, _ = merkle.append(index, edge, merkle.leaf_hash(data))
    return edge


def test_a_published_answer_is_logged_with_a_hash_of_its_text(create_round):
    from app.synthesis.models import ThemeIdentity, ThemeResponse

    round_ = create_round(1, window="closed")
    identity = ThemeIdentity(round_id=round_.id, scope_key="round")
    response = ThemeResponse(identity=identity, outcome="accepted", reason="We now say so.",
                             published=True)  # fmt: skip
    db.session.add(response)
    db.session.flush()
    hooks.answer_published.send(response=response, actor=None)
    [entry] = entries("answer_published")
    assert leaf(entry)["answer_sha256"] == hashlib.sha256(b"We now say so.").hexdigest()
    assert (leaf(entry)["outcome"], leaf(entry)["round"]) == ("accepted", 1)


def test_an_answer_is_logged_when_the_register_shows_it_naming_no_internal_provision(
        create_round):  # fmt: skip
    # The register shows answers once the round's window has closed; the public log must not
    # tell their outcome before, nor name provisions of a next round the public cannot see.
    from app.record.integrity import record_problems
    from app.synthesis.models import ResponseProvision, ThemeIdentity, ThemeResponse

    def answer_problems() -> list[str]:
        return [line for line in record_problems() if line.startswith("answer")]

    round_ = create_round(1, window="open")
    later = create_round(2, visibility="internal", window=None)
    identity = ThemeIdentity(round_id=round_.id, scope_key="round")
    response = ThemeResponse(identity=identity, outcome="accepted", reason="We now say so.",
                             published=True)  # fmt: skip
    response.provisions = [ResponseProvision(round_id=later.id, provision_key="m-5-3")]
    db.session.add(response)
    db.session.flush()
    hooks.answer_published.send(response=response, actor=None)
    assert entries("answer_published") == [] and answer_problems() == []
    round_.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    assert close_due_windows() == 2  # the closing, then the answer it makes public
    assert [e.kind for e in entries()][-2:] == ["window_closed", "answer_published"]
    [entry] = entries("answer_published")
    assert (leaf(entry)["outcome"], leaf(entry)["provisions"]) == ("accepted", [])
    assert close_due_windows() == 0 and answer_problems() == []
    round_.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)  # closed again, later
    db.session.commit()
    assert close_due_windows() == 1  # the closing only: the answer is logged as it reads
    later.visibility = "public"  # the next round published: a changed answer names its keys
    response.reason = "We now say so, in Measure 5.3."
    hooks.answer_published.send(response=response, actor=None)
    assert leaf(entries("answer_published")[-1])["provisions"] == ["m-5-3"]
    assert answer_problems() == []


def test_backfill_logs_what_was_stored_before_the_log_once(create_round, create_provision,
                                                          author):  # fmt: skip
    round_ = create_round(1)
    provision = create_provision(round_, "m-1", body=TEXT)
    old = Comment(round=round_, provision=provision, author=author, body="Before the log.",
                  stance="neutral", status="withdrawn")  # fmt: skip
    db.session.add(old)
    db.session.flush()
    assert events.backfill() == {"comment": 1, "round_published": 1, "answer_published": 0}
    assert events.backfill() == {"comment": 0, "round_published": 0, "answer_published": 0}
    assert [e.kind for e in entries()] == ["comment", "comment_withdrawn", "round_published"]


def test_a_missing_state_row_is_rebuilt_from_the_tables(provision, author):
    for n in range(5):
        feedback.submit_comment(provision, author, stance="support", body=f"Before {n}.")
    db.session.execute(delete(LogState))
    feedback.submit_comment(provision, author, stance="support", body="After.")
    assert [e.leaf_index for e in entries()] == list(range(6))
    state = db.session.get(LogState, 1)
    assert state.tree_size == 6 and state.key_id == signing.current_key().key_id
    assert services.latest_head().root_hash == services.root_at(6).hex()
    db.session.expire_all()

"""`plenary verify log` and `plenary verify receipt`: exit 0 when every check holds, 1 with one
line per failure naming the check, 2 with one line for a mistake in how they were called."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text, update

from app.core.db import db
from app.feedback import services as feedback
from app.feedback.models import Comment
from app.record import events
from app.record.models import LogEntry
from tests.record.conftest import entries, post


@pytest.fixture
def world(client, provision, headers, create_user):
    """Five comments (one edited, one withdrawn, one hidden) on a logged, published round."""
    events.log_round_published(provision.round)
    items = [post(client, headers, body=f"Comment {n}.").get_json() for n in range(5)]
    comments = [db.session.get(Comment, item["id"]) for item in items]
    feedback.edit_comment(comments[0], body="Comment 0, edited.")
    feedback.withdraw_comment(comments[1])
    feedback.hide_comment(comments[2], "spam", create_user("sec@example.org", role="secretariat"))
    db.session.commit()
    return items


def verify(runner, tmp_path, *args: str):
    state = ["--state", str(tmp_path / "state.json")] if args[0] == "log" else []
    return runner.invoke(args=["verify", *args, *state])


def failures(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("FAIL ")]


def test_an_honest_log_verifies_and_the_head_is_kept(runner, world, tmp_path):
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("log ok: 9 entries")
    state = json.loads((tmp_path / "state.json").read_text())
    [(name, kept)] = state.items()
    assert name.startswith("local:") and kept["tree_size"] == 9
    again = verify(runner, tmp_path, "log")
    assert again.exit_code == 0 and "consistent with the head of size 9" in again.output


def test_a_comment_changed_in_the_database_is_reported(runner, world, tmp_path):
    changed = world[3]["id"]
    db.session.execute(update(Comment).where(Comment.id == changed).values(body="Rewritten."))
    db.session.commit()
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1
    assert failures(result) == [f"FAIL records: comment {changed} no longer matches its log "
                                "entry 4: it was changed outside the platform"]  # fmt: skip


def test_status_and_hiding_changed_behind_the_log_are_reported(runner, world, tmp_path):
    db.session.execute(update(Comment).where(Comment.id == world[1]["id"]).values(status="open"))
    db.session.execute(update(Comment).where(Comment.id == world[2]["id"]).values(hidden_at=None))
    db.session.commit()
    lines = failures(verify(runner, tmp_path, "log"))
    assert any("is open but the log says withdrawn" in line for line in lines)
    assert any("is shown but the log says hidden" in line for line in lines)


def test_a_rewritten_leaf_or_node_is_reported(runner, world, tmp_path):
    entry = entries("comment")[2]
    forged = entry.leaf.replace(json.loads(entry.leaf)["commitment"], "0" * 64)
    db.session.execute(update(LogEntry).where(LogEntry.leaf_index == entry.leaf_index)
                       .values(leaf=forged))  # fmt: skip
    db.session.execute(text("UPDATE log_nodes SET hash = :h WHERE level = 1 AND node_index = 0"),
                       {"h": "00" * 32})  # fmt: skip
    db.session.commit()
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1
    checks = {line.split(":")[0] for line in failures(result)}
    assert {"FAIL leaves", "FAIL tree", "FAIL inclusion", "FAIL records"} <= checks


def test_a_leaf_that_is_no_longer_json_is_reported_not_crashed_on(runner, world, tmp_path):
    db.session.execute(text("UPDATE log_entries SET leaf = 'garbage' WHERE leaf_index = 5"))
    db.session.commit()
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1 and "FAIL leaves: leaf 5 is not canonical JSON" in result.output
    assert "FAIL records: entry 5 is not JSON" in result.output


def test_a_log_rewritten_since_the_last_check_fails_consistency(runner, world, tmp_path):
    assert verify(runner, tmp_path, "log").exit_code == 0
    state = json.loads((tmp_path / "state.json").read_text())
    name = next(iter(state))
    state[name]["root_hash"] = "ab" * 32  # the head we saw then is not the one the log has now
    state[name]["edge"] = None
    (tmp_path / "state.json").write_text(json.dumps(state))
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1
    assert "FAIL consistency: the first 9 leaves no longer give the root last seen" in result.output
    state[name]["tree_size"] = 50
    (tmp_path / "state.json").write_text(json.dumps(state))
    assert "the log shrank from 50 to 9 entries" in verify(runner, tmp_path, "log").output


def test_a_forged_head_signature_is_reported(runner, world, tmp_path):
    db.session.execute(text("UPDATE log_heads SET signature = :s WHERE tree_size = 3"),
                       {"s": "A" * 86 + "=="})  # fmt: skip
    db.session.commit()
    lines = failures(verify(runner, tmp_path, "log"))
    assert lines == ["FAIL signature: head of size 3 is not validly signed by key "
                     f"{lines[0].split()[-1]}"]  # fmt: skip


def test_the_receipt_of_a_comment_verifies(runner, world, tmp_path):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(world[4]["receipt"]))
    result = verify(runner, tmp_path, "receipt", str(path))
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip()
        == f"receipt ok: leaf {world[4]['receipt']['leaf_index']} is in the log"
    )
    path.write_text(json.dumps(world[4]))  # the whole POST answer works too
    assert verify(runner, tmp_path, "receipt", str(path)).exit_code == 0


@pytest.mark.parametrize("tamper, check", [
    (lambda r: r["comment"].update(body="Something I never said."), "commitment"),
    (lambda r: r.update(salt="00" * 32), "commitment"),
    (lambda r: r.update(leaf=r["leaf"].replace('"comment"', '"comment" ', 1)), "leaf_hash"),
    (lambda r: r["sth"].update(root_hash="cd" * 32), "signature"),
    (lambda r: r["sth"].update(signature=r["sth"]["signature"][::-1]), "signature"),
    (lambda r: r.update(leaf_index=r["leaf_index"] - 1), "inclusion"),
    (lambda r: r["sth"].update(tree_size=99), "signature"),
    (lambda r: r.pop("salt"), "format"),
])  # fmt: skip
def test_a_tampered_receipt_exits_1_naming_the_failed_check(runner, world, tmp_path, tamper, check):
    receipt = json.loads(json.dumps(world[4]["receipt"]))
    tamper(receipt)
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    result = verify(runner, tmp_path, "receipt", str(path))
    assert result.exit_code == 1
    assert failures(result) and failures(result)[0].startswith(f"FAIL {check}:"), result.output


@pytest.mark.parametrize("args, message", [
    ([], "Missing command"),
    (["nonsense"], "No such command"),
    (["receipt"], "Missing argument"),
    (["receipt", "/nowhere/receipt.json"], "cannot read the receipt"),
    (["log", "--url", "ftp://example.org"], "--url must be an http(s) address"),
    (["log", "--frobnicate"], "No such option"),
])  # fmt: skip
def test_bad_usage_exits_2_with_one_line(runner, database, tmp_path, args, message):
    result = runner.invoke(args=["verify", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output


def test_a_file_that_is_not_a_receipt_is_bad_usage(runner, database, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("dear diary")
    result = verify(runner, tmp_path, "receipt", str(path))
    assert result.exit_code == 2 and result.output.strip().endswith("is not JSON: not a receipt")


def test_close_windows_and_backfill_commands(runner, world):
    assert (
        runner.invoke(args=["log", "close-windows"]).output.strip() == "0 closed window(s) logged"
    )
    assert runner.invoke(args=["log", "backfill"]).output.strip() == (
        "0 comment, 0 round_published, 0 answer_published"
    )
    seed = runner.invoke(args=["log", "keygen"]).output.strip()
    from app.record.signing import key_from_seed

    assert len(key_from_seed(seed).key_id) == 16


def test_a_damaged_state_row_is_reported(runner, world, tmp_path):
    db.session.execute(text("UPDATE log_state SET tree_size = 4"))
    db.session.commit()
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1
    assert "FAIL tree: the log's state row (size 4) does not match its tables" in result.output


def test_a_damaged_state_file_or_receipt_is_a_failed_check_not_a_crash(runner, world, tmp_path):
    assert verify(runner, tmp_path, "log").exit_code == 0
    state = json.loads((tmp_path / "state.json").read_text())
    name = next(iter(state))
    state[name]["edge"] = ["zz"]
    (tmp_path / "state.json").write_text(json.dumps(state))
    result = verify(runner, tmp_path, "log")
    assert result.exit_code == 1 and "FAIL state: the saved state of this log is damaged" in (
        result.output
    )
    path = tmp_path / "receipt.json"
    for broken in ({"receipt": None}, {**world[4]["receipt"], "sth": {"tree_size": "ten"}},
                   {**world[4]["receipt"], "salt": "nothex"}):  # fmt: skip
        path.write_text(json.dumps(broken))
        result = verify(runner, tmp_path, "receipt", str(path))
        assert result.exit_code == 1 and result.output.startswith("FAIL format:"), result.output

"""The log over /api/v1 (CONTRACT §8): signed heads, keys, entries, proofs and receipts."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json

import pytest

from app.core.db import db
from app.record import merkle, signing
from app.record.canonical import canonical_json, comment_form
from tests.engines.test_merkle import check_consistency, check_inclusion
from tests.record.conftest import ROOT, post

SCRIPT = importlib.util.spec_from_file_location("verify_receipt", ROOT / "docs/verify_receipt.py")
assert SCRIPT is not None and SCRIPT.loader is not None
journalist = importlib.util.module_from_spec(SCRIPT)
SCRIPT.loader.exec_module(journalist)


def get(client, path: str, **params) -> dict:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def head_ok(head: dict, public_key: str) -> bool:
    """Verify with the standalone script's pure-Python Ed25519, not the code under test."""
    message = json.dumps({k: head[k] for k in ("tree_size", "root_hash", "timestamp", "key_id")},
                         sort_keys=True, separators=(",", ":")).encode()  # fmt: skip
    return journalist.ed25519_ok(base64.b64decode(public_key), message,
                                 base64.b64decode(head["signature"]))  # fmt: skip


@pytest.fixture
def logged(client, provision, headers):
    """Seven comments through the API: seven leaves."""
    return [post(client, headers, body=f"Point {n}.").get_json() for n in range(7)]


def test_the_head_is_signed_with_the_published_key_and_roots_the_entries(client, logged):
    head, key = get(client, "/api/v1/log"), get(client, "/api/v1/log/key")
    assert head["tree_size"] == 7 and head["key_id"] == key["key_id"]
    assert key["algorithm"] == "ed25519" and key["previous"] == []
    assert head_ok(head, key["public_key"])
    assert key["key_id"] == hashlib.sha256(base64.b64decode(key["public_key"])).hexdigest()[:16]
    page = get(client, "/api/v1/log/entries")
    leaves = [e["leaf"].encode() for e in page["entries"]]
    assert [e["leaf_hash"] for e in page["entries"]] == [
        hashlib.sha256(b"\x00" + data).hexdigest() for data in leaves]  # fmt: skip
    edge: list[bytes] = []
    for index, data in enumerate(leaves):
        edge, _ = merkle.append(index, edge, merkle.leaf_hash(data))
    assert merkle.fold(edge).hex() == head["root_hash"]


def test_an_empty_log_has_a_signed_head_of_size_zero(client, database):
    head = get(client, "/api/v1/log")
    assert head["tree_size"] == 0 and head["root_hash"] == merkle.EMPTY_ROOT.hex()
    assert head_ok(head, get(client, "/api/v1/log/key")["public_key"])
    assert get(client, "/api/v1/log/entries")["entries"] == []


def test_every_proof_the_api_gives_verifies_independently(client, logged):
    leaves = [e["leaf_hash"] for e in get(client, "/api/v1/log/entries")["entries"]]
    roots = {}
    for size in range(1, 8):
        edge: list[bytes] = []
        for index in range(size):
            edge, _ = merkle.append(index, edge, bytes.fromhex(leaves[index]))
        roots[size] = merkle.fold(edge)
    for size in range(1, 8):
        for index in range(size):
            proof = get(client, "/api/v1/log/proof/inclusion", leaf_index=index, tree_size=size)
            path = [bytes.fromhex(h) for h in proof["audit_path"]]
            assert proof["leaf_hash"] == leaves[index]
            assert check_inclusion(bytes.fromhex(leaves[index]), index, size, path, roots[size])
        for first in range(1, size + 1):
            proof = get(client, "/api/v1/log/proof/consistency", first=first, second=size)
            path = [bytes.fromhex(h) for h in proof["consistency_path"]]
            assert check_consistency(first, size, roots[first], roots[size], path)
    defaults = get(client, "/api/v1/log/proof/inclusion", leaf_index=2)
    assert defaults["tree_size"] == 7
    assert get(client, "/api/v1/log/proof/consistency", first=3)["second"] == 7


@pytest.mark.parametrize("path, params, message", [
    ("/api/v1/log/proof/inclusion", {"leaf_index": 7, "tree_size": 7}, "leaf_index must be"),
    ("/api/v1/log/proof/inclusion", {"leaf_index": -1, "tree_size": 3}, "leaf_index must be"),
    ("/api/v1/log/proof/inclusion", {"leaf_index": 0, "tree_size": 8}, "tree_size must be"),
    ("/api/v1/log/proof/inclusion", {"leaf_index": 0, "tree_size": 0}, "tree_size must be"),
    ("/api/v1/log/proof/inclusion", {}, "leaf_index is required"),
    ("/api/v1/log/proof/inclusion", {"leaf_index": "two"}, "whole number"),
    ("/api/v1/log/proof/consistency", {"first": 5, "second": 3}, "first must not be larger"),
    ("/api/v1/log/proof/consistency", {"first": 2, "second": 8}, "second must not be larger"),
    ("/api/v1/log/proof/consistency", {"first": 0, "second": 3}, "first must be at least 1"),
    ("/api/v1/log/proof/consistency", {}, "first is required"),
    ("/api/v1/log/entries", {"start": 8}, "start must be between"),
    ("/api/v1/log/entries", {"start": 3, "end": 2}, "end must not be smaller"),
    ("/api/v1/log/entries", {"start": 0, "end": 9}, "end must not be larger"),
    ("/api/v1/log/entries", {"start": "x"}, "whole number"),
])  # fmt: skip
def test_bad_proof_and_page_inputs_are_400_with_a_clear_message(
    client, logged, path, params, message
):
    response = client.get(path, query_string=params)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_entries_are_paged_half_open(client, logged):
    page = get(client, "/api/v1/log/entries", start=2, end=5)
    assert [e["leaf_index"] for e in page["entries"]] == [2, 3, 4]
    assert (page["start"], page["end"], page["tree_size"]) == (2, 5, 7)
    assert get(client, "/api/v1/log/entries", start=7)["entries"] == []


def test_a_posted_comment_carries_a_receipt_its_author_can_recompute(client, provision, headers):
    body = {"stance": "amend", "body": "Thirty days, please.", "quote": "within fourteen days",
            "proposed_text": "within thirty days"}  # fmt: skip
    item = post(client, headers, **body).get_json()
    receipt = item["receipt"]
    # What the author knows, and the salt: nothing else is needed to recompute the leaf.
    form = {"code": "demo-code", "round": 1, "provision": "m-1-1", "comment": item["id"],
            "parent": None, "stance": "amend", "body": "Thirty days, please.",
            "quote": "within fourteen days", "proposed_text": "within thirty days",
            "submitted_at": receipt["comment"]["submitted_at"]}  # fmt: skip
    assert receipt["comment"] == comment_form(form)
    digest = hashlib.sha256(bytes.fromhex(receipt["salt"]) + canonical_json(form)).hexdigest()
    leaf = json.loads(receipt["leaf"])
    assert leaf["commitment"] == digest and leaf["comment"] == item["id"]
    assert receipt["leaf_hash"] == hashlib.sha256(b"\x00" + receipt["leaf"].encode()).hexdigest()
    sth = receipt["sth"]
    assert sth["tree_size"] == receipt["leaf_index"] + 1
    assert head_ok(sth, get(client, "/api/v1/log/key")["public_key"])
    proof = get(client, "/api/v1/log/proof/inclusion", leaf_index=receipt["leaf_index"],
                tree_size=sth["tree_size"])  # fmt: skip
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    leaf_hash, root = bytes.fromhex(receipt["leaf_hash"]), bytes.fromhex(sth["root_hash"])
    assert merkle.verify_inclusion(leaf_hash, receipt["leaf_index"], sth["tree_size"], path, root)


def test_a_retried_post_returns_the_same_receipt(client, provision, headers):
    keyed = {**headers, "Idempotency-Key": "again"}
    first, second = post(client, keyed).get_json(), post(client, keyed).get_json()
    assert first["receipt"] == second["receipt"]
    assert get(client, "/api/v1/log")["tree_size"] == 1


def test_key_rotation_keeps_the_old_key_published_and_its_heads_verifiable(
    app, client, provision, headers, monkeypatch
):
    old_seed, new_seed = signing.new_seed(), signing.new_seed()
    monkeypatch.setitem(app.config, signing.KEY_VARIABLE, old_seed)
    before = post(client, headers, body="Signed by the old key.").get_json()["receipt"]["sth"]
    monkeypatch.setitem(app.config, signing.KEY_VARIABLE, new_seed)
    after = post(client, headers, body="Signed by the new key.").get_json()["receipt"]["sth"]
    keys = get(client, "/api/v1/log/key")
    old, new = signing.key_from_seed(old_seed), signing.key_from_seed(new_seed)
    assert keys["key_id"] == new.key_id == after["key_id"] and before["key_id"] == old.key_id
    [previous] = keys["previous"]
    assert previous["key_id"] == old.key_id and previous["retired_at"] is not None
    assert head_ok(before, previous["public_key"]) and head_ok(after, keys["public_key"])
    assert not head_ok(before, keys["public_key"])
    proof = get(client, "/api/v1/log/proof/consistency", first=1, second=2)["consistency_path"]
    assert merkle.verify_consistency(1, 2, bytes.fromhex(before["root_hash"]),
                                     bytes.fromhex(after["root_hash"]),
                                     [bytes.fromhex(h) for h in proof])  # fmt: skip
    db.session.commit()


def test_the_log_endpoints_are_public_and_documented(client, database):
    spec = get(client, "/api/v1/openapi.json")
    for path in ("/log", "/log/key", "/log/entries", "/log/proof/inclusion",
                 "/log/proof/consistency", "/codes/{code}/rounds/{n}/akn.xml"):  # fmt: skip
        assert "get" in spec["paths"][path], path
    assert "400" in spec["paths"]["/log/proof/inclusion"]["get"]["responses"]
    assert {"SignedTreeHead", "LogKeys", "LogEntries", "Receipt"} <= set(
        spec["components"]["schemas"]
    )
    post_201 = spec["paths"]["/codes/{code}/rounds/{n}/provisions/{key}/comments"]["post"]
    assert "receipt" in json.dumps(post_201["responses"]["201"])

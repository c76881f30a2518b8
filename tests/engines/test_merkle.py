"""The RFC 9162 engine against an independent statement of the RFC written here.

`Reference` computes MTH, PATH and PROOF straight from the recursive definitions of RFC 9162
§2.1.1, §2.1.3.1 and §2.1.4.1 over the whole list of leaves; `check_inclusion` and
`check_consistency` verify proofs by recursing over the same definitions (not with the
bit-twiddling algorithm of §2.1.3.2/§2.1.4.2 that the engine uses). The engine computes its
proofs from stored perfect subtrees only, built leaf by leaf with `append`.
"""

from __future__ import annotations

import hashlib

import pytest

from app.record import merkle

SIZES = range(1, 65)


def h_leaf(data: bytes) -> bytes:
    return hashlib.sha256(bytes([0]) + data).digest()


def h_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(bytes([1]) + left + right).digest()


def k_for(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Reference:
    """RFC 9162 §2.1 by its recursive definitions, over raw leaf data."""

    def __init__(self, leaves: list[bytes]):
        self.leaves = leaves

    def mth(self, d: list[bytes]) -> bytes:
        if not d:
            return hashlib.sha256(b"").digest()
        if len(d) == 1:
            return h_leaf(d[0])
        k = k_for(len(d))
        return h_node(self.mth(d[:k]), self.mth(d[k:]))

    def path(self, m: int, d: list[bytes]) -> list[bytes]:
        if len(d) == 1:
            return []
        k = k_for(len(d))
        if m < k:
            return self.path(m, d[:k]) + [self.mth(d[k:])]
        return self.path(m - k, d[k:]) + [self.mth(d[:k])]

    def subproof(self, m: int, d: list[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [self.mth(d)]
        k = k_for(n)
        if m <= k:
            return self.subproof(m, d[:k], b) + [self.mth(d[k:])]
        return self.subproof(m - k, d[k:], False) + [self.mth(d[:k])]

    def proof(self, m: int, n: int) -> list[bytes]:
        return self.subproof(m, self.leaves[:n], True)


def check_inclusion(leaf: bytes, m: int, n: int, path: list[bytes], root: bytes) -> bool:
    """Rebuild the root from the leaf and the path along the tree's recursive shape."""
    rest = list(path)

    def up(m: int, n: int) -> bytes | None:
        if n == 1:
            return leaf
        if not rest:
            return None
        sibling = rest.pop()  # the outermost sibling is the last element
        k = k_for(n)
        if m < k:
            inner = up(m, k)
            return None if inner is None else h_node(inner, sibling)
        inner = up(m - k, n - k)
        return None if inner is None else h_node(sibling, inner)

    if not 0 <= m < n:
        return False
    rebuilt = up(m, n)
    return rebuilt is not None and not rest and rebuilt == root


def check_consistency(m: int, n: int, old: bytes, new: bytes, path: list[bytes]) -> bool:
    """Rebuild both roots from the proof along SUBPROOF's recursion."""
    rest = list(path)

    def walk(m: int, n: int, b: bool) -> tuple[bytes, bytes] | None:
        if m == n:
            if b:
                return old, old
            if not rest:
                return None
            node = rest.pop()
            return node, node
        if not rest:
            return None
        sibling = rest.pop()
        k = k_for(n)
        if m <= k:
            inner = walk(m, k, b)
            return None if inner is None else (inner[0], h_node(inner[1], sibling))
        inner = walk(m - k, n - k, False)
        if inner is None:
            return None
        return h_node(sibling, inner[0]), h_node(sibling, inner[1])

    if not 0 < m <= n:
        return False
    result = walk(m, n, True)
    return result is not None and not rest and result == (old, new)


def stored_tree(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """The perfect-subtree table a log would hold, written leaf by leaf with `append`."""
    nodes: dict[tuple[int, int], bytes] = {}
    edge: list[bytes] = []
    for index, data in enumerate(leaves):
        edge, completed = merkle.append(index, edge, merkle.leaf_hash(data))
        for level, node_index, value in completed:
            assert (level, node_index) not in nodes, "a perfect subtree is written once"
            nodes[(level, node_index)] = value
    return nodes


LEAVES = [f'{{"n":{i}}}'.encode() for i in range(64)]
NODES = stored_tree(LEAVES)
REFERENCE = Reference(LEAVES)


def get(level: int, index: int) -> bytes:
    return NODES[(level, index)]


def test_hashes_follow_rfc_9162_domain_separation():
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"l" * 32, b"r" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle.root(get, 0) == hashlib.sha256(b"").digest()
    # RFC 6962/9162 test vector: the empty tree
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("n", SIZES)
def test_roots_from_stored_subtrees_match_the_definition(n):
    assert merkle.root(get, n) == REFERENCE.mth(LEAVES[:n])


@pytest.mark.parametrize("n", SIZES)
def test_every_inclusion_proof_is_the_rfc_path_and_verifies(n):
    root = REFERENCE.mth(LEAVES[:n])
    for m in range(n):
        path = merkle.inclusion_path(get, m, n)
        assert path == REFERENCE.path(m, LEAVES[:n])
        leaf = h_leaf(LEAVES[m])
        assert check_inclusion(leaf, m, n, path, root)
        assert merkle.verify_inclusion(leaf, m, n, path, root)
        assert len(path) <= max(1, (n - 1).bit_length())


@pytest.mark.parametrize("n", SIZES)
def test_every_consistency_proof_is_the_rfc_proof_and_verifies(n):
    new = REFERENCE.mth(LEAVES[:n])
    for m in range(1, n + 1):
        old = REFERENCE.mth(LEAVES[:m])
        path = merkle.consistency_path(get, m, n)
        assert path == REFERENCE.proof(m, n)
        assert check_consistency(m, n, old, new, path)
        assert merkle.verify_consistency(m, n, old, new, path)


@pytest.mark.parametrize("n", [2, 3, 5, 7, 8, 13, 32, 33, 64])
def test_the_engine_verifiers_reject_what_the_reference_rejects(n):
    root = REFERENCE.mth(LEAVES[:n])
    wrong = h_leaf(b"not a leaf")
    for m in range(n):
        path = merkle.inclusion_path(get, m, n)
        assert not merkle.verify_inclusion(wrong, m, n, path, root)
        assert not merkle.verify_inclusion(h_leaf(LEAVES[m]), m, n, path, wrong)
        assert not merkle.verify_inclusion(h_leaf(LEAVES[m]), m, n, path + [wrong], root)
        if path:
            tampered = [wrong] + path[1:]
            assert not merkle.verify_inclusion(h_leaf(LEAVES[m]), m, n, tampered, root)
            assert not check_inclusion(h_leaf(LEAVES[m]), m, n, tampered, root)
        other = (m + 1) % n
        if other != m and path != merkle.inclusion_path(get, other, n):
            assert not merkle.verify_inclusion(h_leaf(LEAVES[m]), other, n, path, root)
    for m in range(1, n):
        old = REFERENCE.mth(LEAVES[:m])
        path = merkle.consistency_path(get, m, n)
        assert not merkle.verify_consistency(m, n, wrong, root, path)
        assert not merkle.verify_consistency(m, n, old, wrong, path)
        assert not merkle.verify_consistency(m, n, old, root, path[:-1])
        assert not merkle.verify_consistency(m, n, old, root, [])
        assert not check_consistency(m, n, old, root, path[:-1])


def test_bad_indices_are_refused():
    for index, size in [(-1, 4), (4, 4), (0, 0)]:
        with pytest.raises(ValueError):
            merkle.inclusion_path(get, index, size)
    for first, second in [(0, 4), (5, 4), (-1, 3)]:
        with pytest.raises(ValueError):
            merkle.consistency_path(get, first, second)
    assert not merkle.verify_inclusion(b"x" * 32, 4, 4, [], b"x" * 32)
    assert not merkle.verify_consistency(5, 4, b"x" * 32, b"x" * 32, [])


def test_a_proof_reads_o_log_n_stored_nodes():
    for n in (33, 63, 64):
        for m in range(0, n, 7):
            read = merkle.nodes_needed(lambda g, m=m, n=n: merkle.inclusion_path(g, m, n))
            assert len(read) <= 2 * n.bit_length()
            read = merkle.nodes_needed(lambda g, m=m, n=n: merkle.consistency_path(g, m + 1, n))
            assert len(read) <= 2 * n.bit_length()


def test_the_compact_range_folds_to_the_root():
    edge: list[bytes] = []
    for index, data in enumerate(LEAVES):
        edge, _ = merkle.append(index, edge, merkle.leaf_hash(data))
        size = index + 1
        assert len(edge) == bin(size).count("1")
        assert merkle.fold(edge) == REFERENCE.mth(LEAVES[:size])
        assert [NODES[key] for key in merkle.compact_range(size)] == edge

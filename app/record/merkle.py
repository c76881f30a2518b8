"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification (a pure engine).

Leaves and nodes are hashed with SHA-256, domain-separated as the RFC says:
``leaf = SHA-256(0x00 || data)`` and ``node = SHA-256(0x01 || left || right)``; the empty tree's
hash is ``SHA-256()``. The tree over n leaves splits at k, the largest power of two below n.

Proofs are computed from the hashes of *perfect* subtrees only: ``(level, index)`` names the
subtree of 2**level leaves starting at leaf ``index * 2**level``. A log stores each such hash
once, when its last leaf arrives (`append`), and a proof then needs O(log n) of them
(`subtree_hash` folds the ragged right edge of a tree out of at most log n perfect ones).
Nothing here imports Flask or the database: hashes are bytes, nodes come from a getter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

Hash = bytes
NodeGetter = Callable[[int, int], Hash]  # (level, index) -> hash of that perfect subtree

EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> Hash:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees, as (level, index), whose fold is MTH(D[start:end]).

    `start` must be a multiple of a power of two at least `end - start` (every range the RFC's
    recursion meets is): the range is then the binary decomposition of its size, largest first.
    """
    out: list[tuple[int, int]] = []
    size = end - start
    while size:
        level = size.bit_length() - 1
        out.append((level, start >> level))
        start += 1 << level
        size -= 1 << level
    return out


def fold(hashes: Sequence[Hash]) -> Hash:
    """The hash of consecutive perfect subtrees of decreasing size (a right fold)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def subtree_hash(get: NodeGetter, start: int, end: int) -> Hash:
    """MTH(D[start:end]) from stored perfect subtrees (see `perfect_ranges`)."""
    return fold([get(level, index) for level, index in perfect_ranges(start, end)])


def root(get: NodeGetter, size: int) -> Hash:
    """The root of the first `size` leaves (EMPTY_ROOT for none)."""
    return subtree_hash(get, 0, size)


def inclusion_path(get: NodeGetter, index: int, size: int) -> list[Hash]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf-side first. Raises ValueError unless
    0 <= index < size."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[Hash] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree_hash(get, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(get, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(get: NodeGetter, first: int, second: int) -> list[Hash]:
    """PROOF(first, D[second]) of RFC 9162 §2.1.4.1, deepest first. Empty when first == second.
    Raises ValueError unless 0 < first <= second."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    path: list[Hash] = []
    start, end, m, whole = 0, second, first, True
    while end - start != m:
        k = split_point(end - start)
        if m <= k:
            path.append(subtree_hash(get, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(get, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append(subtree_hash(get, start, end))
    path.reverse()
    return path


def nodes_needed(compute: Callable[[NodeGetter], Any]) -> list[tuple[int, int]]:
    """The (level, index) pairs `compute` reads, found by a dry run, so that a caller can fetch
    them in one query. Which nodes a proof reads never depends on their values."""
    seen: dict[tuple[int, int], None] = {}

    def record(level: int, index: int) -> Hash:
        seen[(level, index)] = None
        return bytes(32)

    compute(record)
    return list(seen)


# -- appending ----------------------------------------------------------------------------


def compact_range(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, index) that make up a tree of `size` leaves."""
    return perfect_ranges(0, size)


def append(
    size: int, edge: Sequence[Hash], new_leaf_hash: Hash
) -> tuple[list[Hash], list[tuple[int, int, Hash]]]:
    """Add leaf number `size` to a tree whose compact range hashes are `edge`.

    Returns the new compact range and every perfect subtree the leaf completes, as
    (level, index, hash), the leaf itself (level 0) first.
    """
    stack = list(edge)
    completed = [(0, size, new_leaf_hash)]
    current, index, level = new_leaf_hash, size, 0
    while index & 1:
        current = node_hash(stack.pop(), current)
        index >>= 1
        level += 1
        completed.append((level, index, current))
    stack.append(current)
    return stack, completed


# -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------------


def verify_inclusion(
    leaf: Hash, index: int, size: int, path: Sequence[Hash], expected_root: Hash
) -> bool:
    """Whether `path` proves that `leaf` is leaf `index` of the tree of `size` with that root."""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == expected_root


def verify_consistency(
    first: int, second: int, first_root: Hash, second_root: Hash, path: Sequence[Hash]
) -> bool:
    """Whether `path` proves that the tree of size `first` is a prefix of that of `second`."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    proof = list(path)
    if first & (first - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0

"""Find campaigns: groups of near-identical comments (form letters with small edits).

Each text becomes a set of 3-word shingles. MinHash signatures (64 hash functions) split into
16 bands of 4 propose candidate pairs (locality-sensitive hashing); each candidate is then
checked exactly on the two shingle sets (Jaccard, or containment of the shorter text so that a
template plus a personal paragraph still counts), and accepted pairs are joined into groups.
Everything is deterministic and linear in the number of texts, apart from the candidate checks.
"""

from __future__ import annotations

import difflib
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SHINGLE = 3
MIN_WORDS = 5  # shorter texts ("+1", "I agree") are never treated as a campaign
NUM_HASHES = 64
BANDS = 16
MAX_LEADERS = 32  # per LSH bucket: members are checked against at most this many leaders
MEDOID_LIMIT = 200  # groups up to this size pick the canonical member by mutual similarity
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class DuplicateGroup:
    """Near-identical comments: indices (canonical first), the shared text and, per member,
    what that sender wrote beyond the template ("" if nothing)."""

    members: tuple[int, ...]
    canonical: int
    template: str
    additions: dict[int, str]


def find_duplicate_groups(
    texts: Sequence[str], *, threshold: float = 0.8, min_size: int = 2
) -> list[DuplicateGroup]:
    """Groups of at least `min_size` texts whose 3-word shingle sets have Jaccard similarity
    of at least `threshold`, or where the shorter text (at least half the length of the other)
    is contained to that degree in the longer, joined transitively; largest group first.

    Raises ValueError if `threshold` is not within (0, 1] or `min_size` < 2.
    """
    shingles = _shingle_sets(texts)
    groups = [
        _group(members, texts, shingles)
        for members in _member_lists(texts, shingles, threshold, min_size)
    ]
    return sorted(groups, key=lambda g: (-len(g.members), min(g.members)))


def duplicate_members(
    texts: Sequence[str], *, threshold: float = 0.8, min_size: int = 2
) -> list[tuple[int, ...]]:
    """The members (ascending) of the groups `find_duplicate_groups` finds, without working
    out templates and additions: the cheap call for clustering, which only needs who is a copy
    of whom. Raises ValueError as find_duplicate_groups does."""
    members = _member_lists(texts, _shingle_sets(texts), threshold, min_size)
    return sorted((tuple(m) for m in members), key=lambda m: (-len(m), m[0]))


def _member_lists(
    texts: Sequence[str], shingles: dict[int, np.ndarray], threshold: float, min_size: int
) -> list[list[int]]:
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be within (0, 1]")
    if min_size < 2:
        raise ValueError("min_size must be at least 2")
    eligible = sorted(shingles)
    if len(eligible) < min_size:
        return []
    signatures = _minhash([shingles[i] for i in eligible])
    parent = list(range(len(texts)))
    for bucket in _buckets(signatures):
        _join_bucket([eligible[b] for b in bucket], shingles, threshold, parent)
    members_of: dict[int, list[int]] = {}
    for i in eligible:
        members_of.setdefault(_find(parent, i), []).append(i)
    return [members for members in members_of.values() if len(members) >= min_size]


def independent_voices(n_comments: int, groups: Sequence[DuplicateGroup]) -> int:
    """Comments outside any group plus one voice per group.

    Raises ValueError if the groups hold more comments than `n_comments`.
    """
    grouped = sum(len(g.members) for g in groups)
    if grouped > n_comments:
        raise ValueError(f"{grouped} grouped comments out of {n_comments}")
    return n_comments - grouped + len(groups)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _word_id(word: str, cache: dict[str, int]) -> int:
    value = cache.get(word)
    if value is None:
        value = cache[word] = zlib.crc32(word.encode("utf-8")) + 1
    return value


def _shingle_sets(texts: Sequence[str]) -> dict[int, np.ndarray]:
    """Sorted unique 64-bit shingle hashes by text index, for texts long enough to judge
    (every text's shingles hashed at once, then sorted and cut per text)."""
    cache: dict[str, int] = {}
    eligible: list[int] = []
    ids: list[int] = []
    lengths: list[int] = []
    for index, text in enumerate(texts):
        words = _words(text)
        if len(words) >= MIN_WORDS:
            eligible.append(index)
            ids.extend(cache.get(w) or _word_id(w, cache) for w in words)
            lengths.append(len(words))
    if not eligible:
        return {}
    flat = np.array(ids, dtype=np.uint64)
    width = len(flat) - SHINGLE + 1
    mixed = np.zeros(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            mixed = mixed * np.uint64(0x100000001B3) + flat[offset : offset + width]
    size = np.array(lengths, dtype=np.int64) - SHINGLE + 1  # shingles of each text
    ends = np.cumsum(lengths)
    owner = np.repeat(np.arange(len(eligible)), size)
    position = (np.arange(len(owner)) - np.repeat(np.cumsum(size) - size, size)
                + np.repeat(ends - np.array(lengths), size))  # a text's first word onwards
    values = mixed[position]
    order = np.lexsort((values, owner))
    owner, values = owner[order], values[order]
    fresh = np.r_[True, (owner[1:] != owner[:-1]) | (values[1:] != values[:-1])]
    owner, values = owner[fresh], values[fresh]
    cuts = np.searchsorted(owner, np.arange(1, len(eligible)))
    return dict(zip(eligible, np.split(values, cuts), strict=True))


def _minhash(sets: list[np.ndarray]) -> np.ndarray:
    """(n, NUM_HASHES) MinHash signatures under multiply-add hashes modulo 2**64 (one hash
    function at a time over every set: small arrays that stay in the cache)."""
    rng = np.random.default_rng(20240601)
    mult = rng.integers(1, 2**63, NUM_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    add = rng.integers(0, 2**63, NUM_HASHES, dtype=np.uint64)
    signatures = np.empty((len(sets), NUM_HASHES), dtype=np.uint64)
    if not sets:
        return signatures
    flat = np.concatenate(sets)
    offsets = np.cumsum([0] + [len(s) for s in sets[:-1]])
    hashed = np.empty_like(flat)
    with np.errstate(over="ignore"):
        for k in range(NUM_HASHES):
            np.multiply(flat, mult[k], out=hashed)
            hashed += add[k]
            signatures[:, k] = np.minimum.reduceat(hashed, offsets)
    return signatures


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64: one hash per band of each MinHash signature; two texts sharing a
    band's key are candidate copies (the keys are all a large scope keeps of its texts)."""
    rows = NUM_HASHES // BANDS
    keys = np.zeros((len(signatures), BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            part = signatures[:, band * rows : (band + 1) * rows]
            key = np.zeros(len(part), dtype=np.uint64)
            for column in range(rows):
                key = (key ^ part[:, column]) * np.uint64(0x9E3779B97F4A7C15)
            keys[:, band] = key
    return keys


def text_band_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the texts long enough to judge, their band keys): `band_keys` of the
    texts' MinHash signatures, for a scope too large to keep its texts."""
    shingles = _shingle_sets(texts)
    eligible = np.array(sorted(shingles), dtype=np.int64)
    if len(eligible) == 0:
        return eligible, np.zeros((0, BANDS), dtype=np.uint64)
    return eligible, band_keys(_minhash([shingles[int(i)] for i in eligible]))


def _buckets(signatures: np.ndarray) -> list[np.ndarray]:
    """Positions sharing all rows of some band, one array per bucket of two or more."""
    found: list[np.ndarray] = []
    keys = band_keys(signatures)
    for band in range(BANDS):
        key = keys[:, band]
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        lengths = np.diff(np.r_[starts, len(key)])
        found.extend(order[a : a + n] for a, n in zip(starts, lengths, strict=True) if n > 1)
    return found


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def _similar(a: np.ndarray, b: np.ndarray, threshold: float) -> bool:
    """Jaccard at least `threshold`, or the shorter text (at least half as long as the other)
    contained to that degree in the longer one: a template plus a personal paragraph."""
    common = len(np.intersect1d(a, b, assume_unique=True))
    shorter, longer = sorted((len(a), len(b)))
    if common >= threshold * (len(a) + len(b) - common):
        return True
    return 2 * shorter >= longer and common >= threshold * shorter


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _join_bucket(
    bucket: list[int], shingles: dict[int, np.ndarray], threshold: float, parent: list[int]
) -> None:
    """Check bucket members against the bucket's leaders; join the similar ones."""
    leaders: list[int] = []
    for member in sorted(bucket):
        for leader in leaders:
            if _find(parent, leader) == _find(parent, member):
                break
            if _similar(shingles[leader], shingles[member], threshold):
                parent[_find(parent, member)] = _find(parent, leader)
                break
        else:
            if len(leaders) < MAX_LEADERS:
                leaders.append(member)


def _group(
    members: list[int], texts: Sequence[str], shingles: dict[int, np.ndarray]
) -> DuplicateGroup:
    wording = {i: " ".join(_words(texts[i])) for i in members}
    exact = Counter(wording.values())
    mutual = {i: 0.0 for i in members}
    if len(members) <= MEDOID_LIMIT:
        mutual = dict(zip(members, _mutual_jaccard([shingles[i] for i in members]),
                          strict=True))
    canonical = max(members, key=lambda i: (exact[wording[i]], mutual[i], -i))
    template = texts[canonical]
    ordered = (canonical, *sorted(i for i in members if i != canonical))
    keys: dict[str, str] = {}  # the letters share most of their words: each word's key once
    additions = {i: _added_words(template, texts[i], keys) for i in ordered}
    return DuplicateGroup(ordered, canonical, template, additions)


def _mutual_jaccard(sets: Sequence[np.ndarray]) -> list[float]:
    """For each of `sets` (sorted unique shingle hashes), the sum of its Jaccard similarities
    to the others, added up in their order (the same floats as `_jaccard` pair by pair); the
    intersections all at once, as one product of the sets' incidence matrix."""
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    _, column = np.unique(np.concatenate(sets), return_inverse=True)
    incidence = np.zeros((len(sets), int(column.max()) + 1))
    incidence[np.repeat(np.arange(len(sets)), sizes), column.reshape(-1)] = 1.0
    common = incidence @ incidence.T  # whole numbers, exact in float64
    jaccard = (common / (sizes[:, None] + sizes[None, :] - common)).tolist()
    return [sum(row[:i] + row[i + 1 :]) for i, row in enumerate(jaccard)]


def _key(token: str) -> str:
    return "".join(_WORD.findall(token.lower()))


def _added_words(template: str, text: str, keys: dict[str, str] | None = None) -> str:
    """Words of `text` not in `template` (inserted or replacing), runs joined by " … ";
    `keys` (token -> its key) may be shared by calls on one campaign's letters."""
    keys = {} if keys is None else keys

    def key(token: str) -> str:
        found = keys.get(token)
        if found is None:
            found = keys[token] = _key(token)
        return found

    base, own = template.split(), text.split()
    base_keys, own_keys = [key(t) for t in base], [key(t) for t in own]
    if base_keys == own_keys:
        return ""
    matcher = difflib.SequenceMatcher(None, base_keys, own_keys, autojunk=False)
    runs = [
        " ".join(own[j1:j2])
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace") and any(own_keys[j1:j2])
    ]
    return " … ".join(runs)


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _sentences(body: str) -> list[tuple[str, list[str]]]:
    """The sentences of `body` that have words, each with its words' keys."""
    out = []
    for sentence in _SENTENCE_END.split(" ".join(body.split())):
        keys = [k for k in (_key(t) for t in sentence.split()) if k]
        if keys:
            out.append((sentence, keys))
    return out


@lru_cache(maxsize=256)
def _template_sentences(
    template: str,
) -> tuple[tuple[tuple[str, frozenset[str]], ...], frozenset[str]]:
    """A template's sentences with their sets of words, and each one's words joined: read once
    for the many letters of a campaign."""
    parts = _sentences(template)
    return (tuple((s, frozenset(keys)) for s, keys in parts),
            frozenset(" ".join(keys) for _, keys in parts))
NEAR = 0.5  # a sender's sentence sharing this much of a template sentence's words edits it


@dataclass(frozen=True)
class BeyondTemplate:
    """What one sender wrote beyond a campaign's template: whole sentences the template has
    nothing like, and the words put into the template's own sentences ("freelance
    photographer" for "journalist")."""

    sentences: list[str]
    edits: list[str]


def beyond_template(template: str, text: str) -> BeyondTemplate:
    """Compare a letter with its campaign's template sentence by sentence, on words (case and
    punctuation do not count): a sentence of the template is left out, one sharing at least
    NEAR of its words (Jaccard) with a template sentence gives the words it changed, any other
    is new."""
    if text == template:
        return BeyondTemplate([], [])
    known, exact = _template_sentences(template)
    sentences, edits = [], []
    for sentence, keys in _sentences(text):
        if " ".join(keys) in exact:
            continue
        own = set(keys)
        score, nearest = max(((len(own & w) / len(own | w), s) for s, w in known),
                             default=(0.0, ""))
        if score < NEAR:
            sentences.append(sentence)
        elif added := _added_words(nearest, sentence):
            edits.append(added)
    return BeyondTemplate(sentences, edits)

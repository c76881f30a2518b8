"""Word-level diffs of provision texts.

Each distinct token (a word, a run of spaces, a line break, or a piece of markup or
punctuation) is mapped to one private-use character, the two character strings are diffed with
diff-match-patch and cleaned up semantically, and the result is mapped back to text, the way
diff-match-patch's line mode works for lines. No timeout is set, so a diff is never truncated;
it stays fast because the diff runs over tokens, not characters, and because long texts are
first split at sentences that occur once, unchanged, in both texts (see _anchored_gaps).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

import diff_match_patch as _dmp_module

try:
    import fast_diff_match_patch as _fast_dmp
except ImportError:  # pragma: no cover - the C++ backend is an optional accelerator
    _fast_dmp = None

Backend = Literal["fast", "python"]

# The C++ port: identical ops to the pure-Python reference, 2.5x quicker on a 300-word
# provision and 1.5x on a whole 50,000-word round (bench/bench_diff.py).
DEFAULT_BACKEND: Backend = "fast"

_HSPACE = r"[^\S\r\n]"
_WORD = r"[^\W_][\w\u0300-\u036f'’.,/-]*(?<![-'’.,/])"
_TOKEN_RE = re.compile(
    rf"""
      ^{_HSPACE}*(?:[-*+>]|\#{{1,6}}|\d{{1,9}}[.)])(?={_HSPACE}){_HSPACE}*   # block marker
    | {_WORD}                                                   # word
    | {_HSPACE}+                                                # spaces, indentation
    | \r?\n(?:{_HSPACE}*\r?\n)*                                   # line break(s), blank lines
    | \*\*|__|~~|-{{2,}}|={{2,}}|\.{{2,}}|[^\w\s]|_                # markup or punctuation
    | [\s\S]                                                    # anything else (lone \r)
    """,
    re.MULTILINE | re.VERBOSE,
)
_IS_WORD_RE = re.compile(_WORD)

# Private-use code points: neither letters nor spaces, so diff-match-patch's semantic
# scoring treats every token boundary alike in both backends.
_PRIVATE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

# Myers' diff costs O(tokens x edits): about a second, even in C++, for a whole 50,000-word
# round with 5% of its words edited. Texts this long are first cut at chunks (sentences,
# lines) that occur exactly once in each text and keep their order (patience diff), and only
# the gaps between them are diffed. Shorter texts are diffed by dmp in one piece.
CHUNKED_MIN_TOKENS = 2000
_CHUNK_END = re.compile(r"[\r\n]|^[.;:!?]$")

_KIND = {0: "equal", 1: "insert", -1: "delete", "=": "equal", "+": "insert", "-": "delete"}


@dataclass(frozen=True)
class WordDiff:
    """A word-level diff: ops concatenate to the old text (equal+delete) and new (equal+insert)."""

    ops: tuple[tuple[str, str], ...]
    words_inserted: int
    words_deleted: int
    words_unchanged: int

    @property
    def changed(self) -> bool:
        """True when anything (words, markup, punctuation or whitespace) differs."""
        return any(kind != "equal" for kind, _ in self.ops)


def tokenize(text: str) -> list[str]:
    """Split text into diff tokens; ``"".join(tokenize(text)) == text`` always holds.

    A token is a word, a run of spaces, a line break (with any blank lines after it), a
    block marker at the start of a line (``- ``, ``1. ``, ``## ``, ``> ``) or a piece of
    markup or punctuation (``**``, ``|``, ``,``).
    """
    tokens: list[str] = _TOKEN_RE.findall(text)
    return tokens


def is_word(token: str) -> bool:
    """True when the token is a word (not markup, punctuation or whitespace)."""
    return _IS_WORD_RE.fullmatch(token) is not None


def _code_points() -> Iterator[str]:
    for low, high in _PRIVATE_RANGES:
        for cp in range(low, high + 1):
            yield chr(cp)
    # More than ~137,000 distinct tokens: carry on outside the private-use areas (still a
    # correct diff; only the semantic cleanup's boundary scoring may differ).
    for cp in range(0x100, 0x110000):
        private = any(lo <= cp <= hi for lo, hi in _PRIVATE_RANGES)
        if not private and not 0xD800 <= cp <= 0xDFFF:
            yield chr(cp)


@dataclass(frozen=True)
class _Encoding:
    """Both texts as strings of one character per token."""

    old: str
    new: str
    token_of: dict[str, str]
    word_chars: frozenset[str]
    chunk_ends: frozenset[str]

    def decode(self, chars: str) -> str:
        return "".join(map(self.token_of.__getitem__, chars))

    def count_words(self, chars: str) -> int:
        return sum(map(self.word_chars.__contains__, chars))


def _encode(old: str, new: str) -> _Encoding:
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    distinct = dict.fromkeys(old_tokens + new_tokens)
    char_of = dict(zip(distinct, _code_points(), strict=False))
    encode = char_of.__getitem__
    return _Encoding(
        old="".join(map(encode, old_tokens)),
        new="".join(map(encode, new_tokens)),
        token_of={char: token for token, char in char_of.items()},
        word_chars=frozenset(char_of[t] for t in distinct if is_word(t)),
        chunk_ends=frozenset(char_of[t] for t in distinct if _CHUNK_END.search(t)),
    )


def _chunks(chars: str, ends: frozenset[str]) -> list[str]:
    if not ends:
        return [chars]
    pattern = "[" + "".join(map(re.escape, sorted(ends))) + "]"
    return re.findall(f".*?{pattern}|.+$", chars, flags=re.DOTALL)


def _anchored_gaps(enc: _Encoding) -> Iterator[tuple[str, str, str]]:
    """Yield (old gap, new gap, following anchor) splitting both texts at unique chunks."""
    old_chunks, new_chunks = _chunks(enc.old, enc.chunk_ends), _chunks(enc.new, enc.chunk_ends)
    old_count, new_count = Counter(old_chunks), Counter(new_chunks)
    new_index = {c: j for j, c in enumerate(new_chunks) if new_count[c] == 1}
    pairs = [
        (i, new_index[c]) for i, c in enumerate(old_chunks) if old_count[c] == 1 and c in new_index
    ]
    # Longest increasing subsequence of new positions (patience sorting).
    tails: list[int] = []
    tail_pair: list[int] = []
    previous: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        tails[k : k + 1] = [j]
        tail_pair[k : k + 1] = [n]
        previous.append(tail_pair[k - 1] if k else -1)
    chain: list[tuple[int, int]] = []
    n = tail_pair[-1] if tail_pair else -1
    while n != -1:
        chain.append(pairs[n])
        n = previous[n]
    old_starts = [0, *accumulate(map(len, old_chunks))]
    new_starts = [0, *accumulate(map(len, new_chunks))]
    a = b = 0
    for i, j in reversed(chain):
        yield enc.old[a : old_starts[i]], enc.new[b : new_starts[j]], old_chunks[i]
        a, b = old_starts[i + 1], new_starts[j + 1]
    yield enc.old[a:], enc.new[b:], ""


def _diff_python(a: str, b: str, cleanup: bool) -> list[tuple[object, str]]:
    dmp = _dmp_module.diff_match_patch()
    dmp.Diff_Timeout = 0
    diffs = dmp.diff_main(a, b, False)
    if cleanup:
        dmp.diff_cleanupSemantic(diffs)
    return list(diffs)


def _diff_fast(a: str, b: str, cleanup: bool) -> list[tuple[object, str]]:
    assert _fast_dmp is not None  # noqa: S101 - guarded by _backend_function
    mode = "Semantic" if cleanup else "No"
    result = _fast_dmp.diff(a, b, timelimit=0, checklines=False, cleanup=mode, counts_only=False)
    return list(result)


def _backend_function(
    backend: Backend, a: str, b: str
) -> Callable[[str, str, bool], list[tuple[object, str]]]:
    if backend == "python":
        return _diff_python
    if backend != "fast":
        raise ValueError(f"unknown diff backend {backend!r}")
    if _fast_dmp is None:
        return _diff_python
    if _fast_dmp.CHAR_WIDTH == 2 and any(ord(c) > 0xFFFF for c in a + b):
        return _diff_python  # narrow wchar_t (Windows) cannot hold astral code points
    return _diff_fast


def diff_words(
    old: str, new: str, *, backend: Backend | None = None, cleanup: bool = True
) -> WordDiff:
    """Diff two texts word by word.

    ``backend`` is ``"fast"`` (C++ fast_diff_match_patch) or ``"python"`` (the reference
    diff_match_patch package); it defaults to DEFAULT_BACKEND. ``cleanup=False`` skips the
    semantic cleanup and returns the minimal token edit script. Raises ValueError for an
    unknown backend.
    """
    enc = _encode(old, new)
    differ = _backend_function(backend or DEFAULT_BACKEND, enc.old, enc.new)
    if max(len(enc.old), len(enc.new)) < CHUNKED_MIN_TOKENS:
        raw = differ(enc.old, enc.new, cleanup)
    else:
        raw = []
        for old_gap, new_gap, anchor in _anchored_gaps(enc):
            if old_gap or new_gap:
                raw.extend(differ(old_gap, new_gap, cleanup))
            raw.append((0, anchor))
    ops: list[tuple[str, str]] = []
    counts = {"equal": 0, "insert": 0, "delete": 0}
    for raw_kind, chars in raw:
        if not chars:
            continue
        kind = _KIND[raw_kind]  # type: ignore[index]
        text = enc.decode(chars)
        counts[kind] += enc.count_words(chars)
        if ops and ops[-1][0] == kind:
            ops[-1] = (kind, ops[-1][1] + text)
        else:
            ops.append((kind, text))
    return WordDiff(
        ops=tuple(ops),
        words_inserted=counts["insert"],
        words_deleted=counts["delete"],
        words_unchanged=counts["equal"],
    )


def similarity(old: str, new: str) -> float:
    """Share of words the two texts have in common: 2*unchanged / (old words + new words).

    1.0 for identical texts, 0.0 when no word is shared. Texts without any words compare as
    1.0 when identical and 0.0 otherwise.
    """
    if old == new:
        return 1.0
    diff = diff_words(old, new)
    total = 2 * diff.words_unchanged + diff.words_inserted + diff.words_deleted
    if total == 0:
        return 0.0
    return 2 * diff.words_unchanged / total

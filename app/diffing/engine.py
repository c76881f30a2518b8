"""Word-level diffs of provision texts.

Each distinct token (a word, a run of spaces, a line break, or a piece of markup or
punctuation) is mapped to one private-use character, the two character strings are diffed with
diff-match-patch and cleaned up semantically, and the result is mapped back to text, the way
diff-match-patch's line mode works for lines. No timeout is set, so a diff is never truncated;
it stays fast because the diff runs over tokens, not characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import diff_match_patch as _dmp_module

try:
    import fast_diff_match_patch as _fast_dmp
except ImportError:  # pragma: no cover - the C++ backend is an optional accelerator
    _fast_dmp = None

Backend = Literal["fast", "python"]

# "fast" (the C++ port) measured about 50x quicker than the pure-Python reference on a
# 50,000-word round with identical word counts; see bench/bench_diff.py.
DEFAULT_BACKEND: Backend = "fast"

_HSPACE = r"[^\S\r\n]"
_WORD = r"[^\W_][\w\u0300-\u036f'’.,/-]*(?<![-'’.,/])"
_TOKEN_RE = re.compile(
    rf"""
      \r?\n(?:{_HSPACE}*\r?\n)*                                   # line break(s), blank lines
    | ^{_HSPACE}*(?:[-*+>]|\#{{1,6}}|\d{{1,9}}[.)])(?={_HSPACE}){_HSPACE}*   # block marker
    | {_HSPACE}+                                                # spaces, indentation
    | {_WORD}                                                   # word
    | \*\*|__|~~|-{{2,}}|={{2,}}|\.{{2,}}|[^\w\s]|_                # markup or punctuation
    | [\s\S]                                                    # anything else (lone \r)
    """,
    re.MULTILINE | re.VERBOSE,
)
_IS_WORD_RE = re.compile(_WORD)

# Private-use code points: neither letters nor spaces, so diff-match-patch's semantic
# scoring treats every token boundary alike in both backends.
_PRIVATE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

_Op = Literal["equal", "insert", "delete"]
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
    """Split text into diff tokens; ``"".join(tokenize(text)) == text`` always holds."""
    return [m.group() for m in _TOKEN_RE.finditer(text)]


def is_word(token: str) -> bool:
    """True when the token is a word (not markup, punctuation or whitespace)."""
    return _IS_WORD_RE.fullmatch(token.rstrip()) is not None


def _code_points() -> Iterator[str]:
    for low, high in _PRIVATE_RANGES:
        for cp in range(low, high + 1):
            yield chr(cp)
    # More than ~137,000 distinct tokens: carry on outside the private-use areas (still a
    # correct diff; only the semantic cleanup's boundary scoring may differ).
    for cp in range(0x100, 0x110000):
        if not 0xD800 <= cp <= 0xDFFF and not any(lo <= cp <= hi for lo, hi in _PRIVATE_RANGES):
            yield chr(cp)


class _Alphabet:
    """Assigns one character per distinct token and remembers whether it is a word."""

    def __init__(self) -> None:
        self.char_of: dict[str, str] = {}
        self.token_of: dict[str, str] = {}
        self.word_chars: set[str] = set()
        self._fresh = _code_points()

    def encode(self, tokens: list[str]) -> str:
        char_of = self.char_of
        out = []
        for token in tokens:
            char = char_of.get(token)
            if char is None:
                char = next(self._fresh)
                char_of[token] = char
                self.token_of[char] = token
                if is_word(token):
                    self.word_chars.add(char)
            out.append(char)
        return "".join(out)

    def count_words(self, chars: str) -> int:
        words = self.word_chars
        return sum(1 for c in chars if c in words)


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
    return list(_fast_dmp.diff(a, b, timelimit=0, checklines=False, cleanup=mode, counts_only=False))


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
    alphabet = _Alphabet()
    a = alphabet.encode(tokenize(old))
    b = alphabet.encode(tokenize(new))
    diff = _backend_function(backend or DEFAULT_BACKEND, a, b)(a, b, cleanup)
    ops: list[tuple[str, str]] = []
    counts = {"equal": 0, "insert": 0, "delete": 0}
    token_of = alphabet.token_of
    for raw_kind, chars in diff:
        if not chars:
            continue
        kind = _KIND[raw_kind]  # type: ignore[index]
        text = "".join([token_of[c] for c in chars])
        counts[kind] += alphabet.count_words(chars)
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

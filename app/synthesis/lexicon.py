"""What a scope's comments say about their words: tokens, content words, and how the scope
uses each word (as a verb, as a noun, ending a noun phrase, as a name), read off the words
around it ("the", "of" come before nouns; "should", "we" before verbs)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "am"})

_NOT_IN_TITLES = frozenset(
    {"please", "also", "already", "still", "clearly", "simply", "just", "really", "need",
     "needs", "want", "ask", "asks", "propose", "suggest", "support", "welcome", "agree",
     "think", "believe", "like", "make", "makes", "made", "get", "gets", "require",
     "requires", "required", "include", "includes", "including", "allow", "allows", "given",
     "give", "take", "know", "say", "said", "dear", "thank", "thanks", "would", "could",
     "shall", "must", "may", "might", "will", "can", "did", "does", "doing", "done", "yes",
     "ok", "strongly", "fully", "currently", "today", "sure", "able", "unless", "otherwise",
     "regards", "hello", "okay", "lot", "way", "ways", "thing", "things", "us", "we", "i",
     "provide", "provides", "mean", "means", "meet", "meets", "notify", "inform", "informs",
     "understand", "understands", "become", "becomes", "remain", "remains", "seem", "seems",
     "helps", "protects", "ensure", "ensures", "reduce", "reduces", "prevent", "prevents",
     "apply", "applies", "covers", "create", "creates", "leads", "works", "go", "goes",
     "come", "comes", "let", "lets", "put", "puts", "show", "shows", "keeps", "starts",
     "stops", "wants", "cause", "causes", "contain", "contains", "depend", "depends",
     "exist", "exists", "happen", "happens", "matters", "belong", "belongs", "deserve",
     "deserves", "lack", "lacks", "fail", "fails", "pay", "pays", "tell", "tells", "ignore",
     "ignores", "treat", "treats", "turn", "turns", "seek", "argue", "argues", "expect",
     "behalf", "ones", "drafters", "drafter", "co-chairs", "secretariat"}
)  # fmt: skip
# What comes right before a word tells whether it can be a noun: "the", "our", "of" come
# before nouns (and their adjectives); "should", "to" before verbs ("to" also before plural
# nouns, "harm to users", so it only counts for words not ending in a single "s").
_BEFORE_NOUNS = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "our", "their", "its", "his", "her",
     "my", "your", "each", "every", "any", "no", "of", "for", "on", "in", "with", "by", "from",
     "about", "between", "some", "all", "more", "less", "fewer", "such"}
)  # fmt: skip
_BEFORE_VERBS = frozenset(
    {"will", "would", "should", "must", "can", "cannot", "could", "may", "might", "shall",
     "please", "we", "they", "you", "i", "don't", "doesn't", "won't", "didn't", "also"}
)  # fmt: skip
# Before these, a word the scope also writes as a verb ("estimated", "changes") is one here.
_BEFORE_ACTS = frozenset({"to", "not"})
# A number or a one-letter label right after a noun belongs to its noun phrase ("class three",
# "Article 5", "tier B"): a phrase cut before it is not whole.
_NUMBERS = frozenset(
    {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
     "twelve", "hundred", "thousand", "million"}
)  # fmt: skip
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*(?:\.[a-z]{2,4}\b)?[A-Za-z0-9]?|\d[\d.,^]*\d|\d")
# Quotation marks end a phrase: an opening one (not after a letter) and a closing one (after a
# letter, before none), so "'without prejudice' clause" gives no "prejudice' clause"; an
# apostrophe inside a word ("provider's", "don't") is not one.
BREAK = re.compile(r"(?<![a-z])\.(?!\d)|\.(?![a-z]{2,4}\b|\d)|,(?!\d)|[;:!?()\[\]\"“”/]|\s[-–—]\s"
                   r"|(?<![A-Za-z])['‘’]|(?<=[A-Za-z])['’](?![A-Za-z])")


# Prepositions that join two runs of a noun phrase ("burden on small providers").
JOINERS = frozenset(
    {"of", "for", "on", "in", "from", "by", "with", "between", "about", "to", "within",
     "across", "under", "against", "without", "after", "before", "inside", "at", "into",
     "through", "per", "beyond"}
)  # fmt: skip
# What opens the object of a verb but seldom follows a plural noun (not "that", "which": "the
# measures that providers take").
_OBJECT_OPENERS = frozenset(
    {"the", "a", "an", "its", "their", "our", "his", "her", "whether", "how", "what", "if"}
)


@dataclass(frozen=True)
class Usage:
    """How a scope's comments use words (lower case): `verbs` only as verbs, `also_verbs` ever
    as a verb, `heads` ever as the last word of a noun phrase ("the deadline.", "of harm,"),
    `nouns` ever after "the", "our", "of"... (a head, or a modifier as in "the confidential
    annex"), None where nothing is known; `capitals` mostly written with a capital inside a
    sentence ("the AI Office", "the Union"); `acts` surely verbs where "to" comes before them:
    ever after "should", "we"..., or also written with "-ed" or "-ing" ("estimated")."""

    verbs: frozenset[str] = frozenset()
    also_verbs: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()
    nouns: frozenset[str] | None = None
    capitals: frozenset[str] = frozenset()
    acts: frozenset[str] = frozenset()

    def nominal(self, phrase: str) -> bool:
        """Whether `phrase` surely reads as a noun phrase: one word seen as a head, or words
        whose last is never a mere modifier."""
        words = phrase.lower().split()
        first, last = words[0], words[-1]
        nouns = self.nouns or frozenset()
        if first in self.also_verbs and first not in nouns:  # "classify incidents"
            return False
        if last in nouns:
            return last in self.heads
        bases = (last[:-1], last[:-2], last[:-3] + "y")  # "pressure decides": a verb
        return not (plural_like(last) and any(b in self.also_verbs for b in bases))


def word_usage(texts: Iterable[str]) -> Usage:
    """How `texts` use their words. A verb: seen after "should", "we", "to"...; only a verb if
    never seen after "the", "our", "of"... (a third-person "-s" form counts as its verb unless
    itself seen as a noun: "improves", but not "reports" after "the reports"). A head: seen
    after "the", "our", "of"... or a content word, and before no other content word (nor a
    number: not "class" in "class three")."""
    as_verb: Counter[str] = Counter()
    strong: set[str] = set()
    as_noun: Counter[str] = Counter()
    heads: set[str] = set()
    seen: set[str] = set()
    inside: Counter[tuple[str, bool]] = Counter()
    for text in texts:
        for segment in BREAK.split(text):
            written = TOKEN.findall(segment)
            words = [w.lower() for w in written]
            seen.update(words)
            inside.update((w.lower(), w[:1].isupper()) for w in written[1:])
            for i, (before, word) in enumerate(zip(words, words[1:], strict=False)):
                last = i + 2 == len(words) or not (content(words[i + 2]) or label(written[i + 2]))
                if last and (before in _BEFORE_NOUNS or content(before)):
                    heads.add(word)
                if before in _BEFORE_NOUNS:
                    as_noun[word] += 1
                elif before in _BEFORE_VERBS or (before == "to" and not plural_like(word)):
                    as_verb[word] += 1
                    strong.update([word] if before != "to" else [])
    only = {w for w in as_verb if not as_noun[w]}
    only |= {w for w in seen if _third_person(w, only, as_noun)}
    nouns = frozenset(as_noun)
    capitals = frozenset(w for (w, upper), n in inside.items() if upper and n > inside[w, False])
    inflected = {w for w in seen if _verb_forms(w) & seen}
    return Usage(
        frozenset(only),
        frozenset(as_verb),
        frozenset(heads - only),
        nouns,
        capitals,
        frozenset(strong | inflected),
    )


def content(word: str) -> bool:
    """Whether `word` may be part of a title: no stop word, filler or letter on its own."""
    lower = word.lower()
    return (
        lower not in ENGLISH_STOP_WORDS
        and lower not in _NOT_IN_TITLES
        and len(lower) > 1
        and not (lower.endswith("s") and lower[:-1] in _NOT_IN_TITLES)  # "suggests"
    )


def filler_ing(word: str) -> bool:
    """Whether `word` (lower case) is the "-ing" form of a verb that is no part of a title
    ("allowing", "making"): it may modify a noun ("existing datasets"), never end a phrase."""
    return word.endswith("ing") and bool(_NOT_IN_TITLES & {word[:-3], word[:-3] + "e"})


def participle_here(words: list[str], i: int, usage: Usage) -> bool:
    """Whether words[i] is a verb in "-ing" after "is", "are"... ("are converging on
    templates"): followed by no content word and never used as a noun in the scope ("the
    reporting"), it is no part of a title. (Opening a clause, it is more often a noun:
    "Testing for bias is missing".)"""
    word = words[i].lower()
    return (
        word.endswith("ing")
        and usage.nouns is not None
        and word not in usage.nouns
        and i > 0
        and words[i - 1].lower() in _BE
        and i + 1 < len(words)
        and not content(words[i + 1])
    )


def verb_here(before: list[str], word: str, usage: Usage) -> bool:
    """Whether `word`, after the word `before` (none at a clause's start), is a verb here:
    after "should", "we"...; or written as a verb in the scope (see Usage.acts) and after "to"
    (not "harm to users", "access to information"), "not" ("models that do not change
    between releases"; not "compute, not parameter count", a noun the scope never inflects)
    or a plural that can be its subject ("vendors help providers estimate energy", where the
    scope also writes "an estimate" and "estimated"); or never a noun in the scope and either
    written as a verb or after such a plural ("providers classify")."""
    cue = before[0].lower() if before else ""
    noun = usage.nouns is None or word in usage.nouns
    subject = content(cue) and plural_like(cue)
    written = word in usage.acts
    if cue in _BEFORE_ACTS:
        acts = written
    elif subject:
        acts = written or not noun
    else:
        acts = written and not noun
    return not plural_like(word) and (cue in _BEFORE_VERBS or acts)


def _verb_forms(word: str) -> set[str]:
    """The "-ed" and "-ing" forms `word` would have as a verb ("estimated", "classified",
    "planning")."""
    forms = {word + "ed", word + "ing", word + word[-1:] + "ed", word + word[-1:] + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ied")
    return forms


def name_like(phrase: str, usage: Usage) -> bool:
    """Whether every content word of `phrase` is mostly written with a capital ("AI Office")."""
    words = [w.lower() for w in TOKEN.findall(phrase) if content(w)]
    return bool(words) and all(w in usage.capitals for w in words)


def label(word: str) -> bool:
    """Whether `word` right after a noun is its label ("class three", "Article 5", "tier B")."""
    return (
        word.lower() in _NUMBERS
        or word.isdigit()
        or (len(word) == 1 and word != "I" and word.isupper())
    )


def _third_person(word: str, verbs: set[str], as_noun: Counter[str]) -> bool:
    bases = (word[:-1], word[:-2], word[:-3] + "y")
    return plural_like(word) and not as_noun[word] and any(b in verbs for b in bases)


def plural_like(word: str) -> bool:
    """Whether `word` (lower case) ends like a plural (or a third-person verb)."""
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def singular(word: str) -> str:
    """`word` (lower case) made singular if it looks plural ("policies" -> "policy")."""
    if len(word) <= 3 or not plural_like(word) or word.endswith("'s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def owns_name(
    key: str, theme: int, users: list[dict[str, set[int]]], voices: list[list[tuple[str, int]]]
) -> bool:
    """Whether a name most themes use (the AI Office) is still this theme's own: used by at
    least half its comments, and more than twice as often as by the other themes' comments."""

    def used(themes: Sequence[int]) -> tuple[float, float]:
        held = sum(voices[t][v][1] for t in themes for v in users[t].get(key, ()))
        return held, sum(n for t in themes for _, n in voices[t])

    held, size = used([theme])
    other, rest = used([t for t in range(len(voices)) if t != theme])
    return held * 2 >= size and held * rest > 2 * other * size


def past_tense_inside(phrase: str) -> bool:
    """Whether a word in "-ed" inside `phrase` comes right after a content word, as the past
    tense of its clause does ("newspaper added AI crawler blocks", "meaning licensed private
    datasets"); a participle before its noun comes after an article, a preposition or an
    adverb ("use of copyrighted works"), or is joined to its word ("user-generated")."""
    words = phrase.split()
    return any(
        word.lower().endswith("ed")
        and not word.lower().endswith("eed")
        and "-" not in word
        and len(word) > 4
        and content(before)
        and not before.lower().endswith("ly")
        and before.lower() not in JOINERS
        for before, word in zip(words[:-2], words[1:-1], strict=True)
    )


def verb_before_object(words: list[str], i: int) -> bool:
    """Whether words[i], a word in "-s" or "-ing" after a content word and before "the",
    "whether"..., is a verb ("the coverage KPI measures whether", "the list omits the", "a hub
    page covering the fields"): a plural noun, or a noun in "-ing" ("risk monitoring"), is
    rarely followed by what opens an object."""
    word = words[i].lower() if 0 < i < len(words) else ""
    return (
        0 < i < len(words) - 1
        and (plural_like(word) or word.endswith("ing") and len(word) > 5)
        and content(words[i - 1])
        and words[i + 1].lower() in _OBJECT_OPENERS
    )

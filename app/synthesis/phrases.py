"""Candidate title phrases of themes: noun-phrase-like runs of a theme's own words.

A candidate is a run of content words ("small providers") or two runs joined by one preposition
("burden on small providers"), never starting or ending on a word that only ever serves as a
verb in the scope's comments ("publish", "improves"), nor holding a word used as a verb where it
stands ("to estimate energy consumption", "will the AI Office verify compliance", "the KPI
measures whether", "the newspaper added crawler blocks"), nor ending on an adjective or adverb
(nor its first run: not "relevant to providers") or a filler verb in "-ing" ("allowing"), nor
mostly cut before the noun it modifies ("large cloud" of "large cloud providers", "class" of
"class three", "text" of "text and data mining"). A plural ends a run, unless inside a name
("Digital Rights Watch Europe"). A word naming the consulted text or a part of it ("measure",
"sentence") is no candidate alone, nor a name half the themes use ("AI Office"). How the scope
uses each word is read in app/synthesis/lexicon.py.
Inflections are one phrase ("small provider", "Small providers"), shown as most often written,
and a campaign's copies are one voice: a phrase's support is the number of voices using it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.synthesis.lexicon import (
    BREAK,
    JOINERS,
    TOKEN,
    Usage,
    content,
    filler_ing,
    label,
    name_like,
    owns_name,
    participle_here,
    past_tense_inside,
    plural_like,
    singular,
    verb_before_object,
    verb_here,
    word_usage,
)
from app.synthesis.voices import as_voices, voice_letters

MAX_WORDS = 5
CANDIDATES = 40  # phrases per theme worth embedding (the lexically strongest)

_NOT_LAST = frozenset(
    {"existing", "earlier", "later", "fresh", "new", "other", "such", "own", "different",
     "many", "several", "specific", "general", "certain", "relevant", "various", "based",
     "clear", "possible", "available", "necessary", "similar", "main", "current", "previous",
     "particular", "full", "whole", "real", "large", "small", "big", "high", "low", "long",
     "short", "good", "bad", "better", "best", "first", "last", "next", "above", "below",
     "less", "more", "most", "least", "much", "enough", "free", "due", "non", "turn", "help",
     "sufficient", "insufficient", "unclear", "impossible", "useful", "useless", "essential",
     "important", "difficult", "easy", "hard", "able", "unable", "likely", "worth",
     "appropriate", "inappropriate", "proportionate", "disproportionate", "adequate",
     "inadequate", "accurate", "consistent", "inconsistent", "efficient", "transparent",
     "compliant", "significant", "explicit", "implicit", "robust", "precise", "independent",
     "legal", "illegal", "mandatory", "voluntary", "optional", "excessive", "old", "young",
     "recent"}
)  # fmt: skip
# Endings of adjectives ("reasonable", "feasible", "dangerous", "lawful", "pointless"), less
# the few nouns among such words.
_ADJECTIVE_ENDINGS = ("able", "ible", "ous", "ful", "less")
_NOUNS_SO_ENDING = frozenset(
    {"table", "timetable", "cable", "variable", "deliverable", "receivable", "payable",
     "vegetable", "syllable", "bible", "handful", "unless", "wireless"}
)  # fmt: skip
# Auxiliaries that open a question ("will the AI Office verify ...") and the determiners that
# may follow them.
_AUXILIARIES = frozenset(
    {"will", "would", "should", "must", "can", "could", "may", "might", "shall", "do", "does",
     "did"}
)  # fmt: skip
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "each", "every"})
# Words naming the text under consultation ("this measure", "the code"): every theme uses them
# alike, so alone they never make a title (in a phrase they may: "security measures").
_DOCUMENT = frozenset(
    {"measure", "provision", "article", "paragraph", "section", "clause", "draft", "code",
     "text", "wording", "proposal", "consultation", "document", "chapter", "sentence",
     "recital", "annex", "footnote", "subparagraph", "commitment", "kpi"}
)  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    """A candidate title phrase of a theme: as most often written, its key (inflections
    merged), the theme's voices (indices) that use it, their weight, and whether the scope
    surely uses it as a noun phrase (see Usage.nominal), whether its first word is mostly
    written with a capital inside a sentence (a name or acronym: "AI Office"), and whether it
    is whole: mostly not cut before a next word of its noun phrase, ending on a word that
    surely heads one (see _headed)."""

    text: str
    key: str
    voices: frozenset[int]
    support: float
    nominal: bool
    proper: bool = False
    headed: bool = False


def candidate_phrases(
    text: str, *, max_words: int = MAX_WORDS, usage: Usage = Usage()
) -> list[str]:
    """Noun-phrase-like runs of `text` as written: 1 to `max_words` content words in a row,
    and two such runs joined by one preposition ("burden on small providers"). A plural ends
    a run ("filters | catch reproductions"); words the scope only uses as verbs (`usage`, see
    word_usage) break one, and a clause does not start with a word ever used as a verb (a
    command: "Use separate crawlers"), nor a run with a verb here (after "should", "we"...,
    or "to" where the scope writes it as a verb: "to estimate energy consumption"). A word
    naming the consulted text ("measure") is no phrase alone."""
    return [phrase for phrase, _ in _candidates(text, max_words, usage)]


def _candidates(text: str, max_words: int, usage: Usage) -> list[tuple[str, bool]]:
    """The candidate_phrases of `text`, each with whether it ends where its noun phrase ends
    (not "archive of old" in "archive of old versions", nor "class" in "class three")."""
    found: list[tuple[str, bool]] = []
    for segment in BREAK.split(text):
        words = TOKEN.findall(segment)
        asked = _asked_verbs(words)
        runs: list[tuple[int, int]] = []
        start = None
        for i, word in enumerate([*words, ""]):
            lower = word.lower()
            if (
                word
                and content(word)
                and lower not in usage.verbs
                and (i or lower not in usage.also_verbs)
                and (start is not None or not verb_here(words[i - 1 : i], lower, usage))
                and i not in asked
                and not participle_here(words, i, usage)
                and not verb_before_object(words, i)
            ):
                start = i if start is None else start
                if plural_like(lower) and not _name_goes_on(words, i):  # a plural ends its
                    runs.append((start, i + 1))  # noun phrase, unless inside a name
                    start = None
            elif start is not None:
                runs.append((start, i))
                start = None
        for a, b in runs:
            for i in range(a, b):
                for j in range(i + 1, min(b, i + max_words) + 1):
                    if _ends_fit(words[i], words[j - 1]):
                        found.append((" ".join(words[i:j]), _whole(words, i, j, b)))
        for (a, b), (c, d) in zip(runs, runs[1:], strict=False):
            joiner = words[b].lower()
            if c == b + 1 and joiner in JOINERS and words[c].lower() not in usage.also_verbs:
                for i in range(max(a, b - 3), b):
                    if not _ends_fit(words[i], words[b - 1]):  # "relevant to providers"
                        continue
                    for j in range(c + 1, min(d, c + 3) + 1):
                        if j - i <= max_words and _ends_fit(words[i], words[j - 1]):
                            found.append((" ".join(words[i:j]), _whole(words, i, j, d)))
    return [
        (phrase, whole)
        for phrase, whole in found
        if _no_repeats(phrase)
        and phrase_key(phrase) not in _DOCUMENT
        and not past_tense_inside(phrase)
    ]


def phrase_pools(
    theme_texts: Sequence[Sequence[str]],
    *,
    max_words: int = MAX_WORDS,
    context: Sequence[str] = (),
) -> list[list[Phrase]]:
    """Per theme, up to CANDIDATES phrases ranked by a class-based TF-IDF: used by many of the
    theme's comments, few elsewhere (a campaign's letters are read once and weigh as many
    comments as it has). `context` (the provision) only helps tell verbs from nouns. No
    phrase mostly cut before the noun it modifies ("large cloud" in "large cloud providers"),
    nor a name at least half the themes use (at least two: "the AI Office"), which says
    nothing about any one of them, unless one theme is clearly its own (see lexicon.owns_name)."""
    letters = [voice_letters(texts) for texts in theme_texts]
    voices = [as_voices(theme) for theme in letters]
    usage = word_usage([*context, *(text for group in voices for text, _ in group)])
    written: dict[str, Counter[str]] = {}
    whole: Counter[tuple[str, bool]] = Counter()
    users: list[dict[str, set[int]]] = []
    for group in voices:
        used: dict[str, set[int]] = {}
        for v, (text, _) in enumerate(group):
            for phrase, ends in _candidates(text, max_words, usage):
                key = phrase_key(phrase)
                written.setdefault(key, Counter())[phrase] += 1
                whole[key, ends] += 1
                used.setdefault(key, set()).add(v)
        users.append(used)
    themes = Counter(key for used in users for key in used)
    dropped = {key for key in written if whole[key, False] > whole[key, True]}
    common = {
        key
        for key, forms in written.items()
        if themes[key] >= max(2, len(theme_texts) / 2) and name_like(_written(forms), usage)
    }
    users = [
        {
            k: ids
            for k, ids in used.items()
            if k not in dropped and (k not in common or owns_name(k, t, users, voices))
        }
        for t, used in enumerate(users)
    ]
    # A campaign's phrase weighs as its letters that use it (not the first letter's sender).
    campaigns = [{v: _campaign_keys(group, max_words, usage) for v, group in enumerate(theme)
                  if len(group) > 1} for theme in letters]
    support = [
        {key: float(sum(campaigns[t][v][key] if v in campaigns[t] else group[v][1]
                        for v in ids)) for key, ids in used.items()}
        for t, (group, used) in enumerate(zip(voices, users, strict=True))
    ]
    # A name only one letter of a campaign writes is its sender ("On behalf of Digital Rights
    # Watch Europe"), not what the letters ask.
    for t, (used, weights) in enumerate(zip(users, support, strict=True)):
        for key in [k for k, ids in used.items()
                    if weights[k] <= 1 and all(v in campaigns[t] for v in ids)
                    and _capitalised(_written(written[k]))]:
            del used[key], weights[key]
    overall: Counter[str] = Counter()
    for weights in support:
        overall.update(weights)
    noun_keys = {singular(word) for word in usage.nouns or ()}
    pools = []
    for used, weights in zip(users, support, strict=True):
        size = max(weights.values(), default=1.0)

        def rank(key: str, weights: dict[str, float] = weights, size: float = size) -> float:
            df = weights[key]
            lexical = df / size * math.log(1 + len(theme_texts) * df / overall[key])
            return lexical * (1 + 0.5 * min(key.count(" "), 2))

        ranked = sorted(used, key=lambda key: (-rank(key), key))[:CANDIDATES]
        pools.append(
            [
                Phrase(
                    _written(written[key]),
                    key,
                    frozenset(used[key]),
                    weights[key],
                    usage.nominal(_written(written[key])) and (" " in key or len(used[key]) > 1),
                    key.split(" ", 1)[0] in usage.capitals,
                    whole[key, True] > whole[key, False]
                    and all(_headed(w, usage, noun_keys) for w in _heads(written[key])),
                )
                for key in ranked
            ]
        )
    return pools


def word_spread(theme_texts: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per content word (as a key), the share of themes among `theme_texts` that use it."""
    counts: Counter[str] = Counter()
    for texts in theme_texts:
        counts.update(set().union(*(content_keys(text) for text in dict.fromkeys(texts))))
    return {key: n / max(1, len(theme_texts)) for key, n in counts.items()}


def stems(phrase: str) -> set[str]:
    """Rough stems of the content words of `phrase` (first five letters of each part of a
    hyphenated word): "confidential" and "confidentiality" share one."""
    return {part[:5] for key in content_keys(phrase) for part in key.split("-") if part}


def phrase_key(phrase: str) -> str:
    """One key for a phrase's inflections: lower case, plural nouns made singular."""
    return " ".join(singular(w.lower()) for w in TOKEN.findall(phrase))


def content_keys(phrase: str) -> set[str]:
    """The content words of `phrase`, as keys."""
    return {singular(w.lower()) for w in TOKEN.findall(phrase) if content(w)}


def _campaign_keys(letters: list[tuple[str, int]], max_words: int, usage: Usage) -> Counter[str]:
    """How many comments of a campaign's `letters` use each phrase (by key)."""
    used: Counter[str] = Counter()
    for text, n in letters:
        used.update(dict.fromkeys({phrase_key(p) for p, _ in _candidates(text, max_words, usage)},
                                  n))
    return used


def _written(forms: Counter[str]) -> str:
    """The commonest way a phrase is written, a capital first letter (a sentence's start)
    not counting as another way; lower case preferred on a tie."""
    ways: Counter[str] = Counter()
    for form, n in forms.items():
        ways[form[:1].lower() + form[1:]] += n
    best = min(ways, key=lambda way: (-ways[way], way))
    return best if best in forms else best[:1].upper() + best[1:]


def _heads(forms: Counter[str]) -> list[str]:
    """The words ending the runs of a phrase as most often written: its last word and the one
    before its joiner ("valid" in "valid after fine-tuning")."""
    words = _written(forms).lower().split()
    return [
        w
        for w, after in zip(words, [*words[1:], ""], strict=True)
        if after in JOINERS or not after
    ]


def _headed(last: str, usage: Usage, noun_keys: set[str]) -> bool:
    """Whether `last` surely heads a noun phrase: seen ending one, and seen as a noun, or never
    a verb, nor the "-s" form of one (not "harm materialises" where "could materialise")."""
    if last not in usage.heads:
        return False
    if singular(last) in noun_keys:
        return True
    bases = (last, last[:-1], last[:-2], last[:-3] + "y") if plural_like(last) else (last,)
    return not any(base in usage.also_verbs for base in bases)


def _ends_fit(first: str, last: str) -> bool:
    """Whether a phrase may run from `first` to `last`: no adverb or participle first, no
    adjective (of _NOT_LAST, or ending like one: "reasonable", "dangerous"), adverb or
    participle last ("scraped", "allowing")."""
    head, tail = first.lower(), last.lower()
    participle = tail.split("-", 1)[0].endswith("ed")  # "opted-out"
    tail = tail.rsplit("-", 1)[-1]  # "AI-specific"
    return (
        not head.endswith(("ly", "ed"))
        and not head.split("-", 1)[0].endswith("ed")
        and not participle
        and tail not in _NOT_LAST
        and tail[:-2] not in _NOT_LAST  # "smaller"
        and (not tail.endswith(_ADJECTIVE_ENDINGS) or tail in _NOUNS_SO_ENDING)
        and not filler_ing(tail)  # "line allowing"
        and not tail.endswith(("ed", "ly", "'s", "’s"))
    )


def _whole(words: list[str], i: int, j: int, end: int) -> bool:
    """Whether words[i:j] ends its noun phrase, its run of content words ending at `end`: no
    later word of the run could end it ("crawl data" in "the crawl data used"), no number or
    label follows the run ("class three"), and it is not the first of two modifiers sharing
    the next run's noun: a singular word before "and" or "or" and two content words ("text"
    in "text and data mining", "search" in "search and training crawlers")."""
    later = range(j + 1, end + 1)
    followed = end < len(words) and label(words[end])
    shared = (
        j == end
        and end + 2 < len(words)
        and words[end].lower() in ("and", "or")
        and not plural_like(words[j - 1].lower())
        and content(words[end + 1])
        and content(words[end + 2])
    )
    return not (followed or shared) and not any(_ends_fit(words[i], words[k - 1]) for k in later)


def _asked_verbs(words: list[str]) -> set[int]:
    """Where a question puts its verb after a named subject ("How will the AI Office verify
    compliance", "Can Member States count ..."): the index of the first word in lower case
    after an auxiliary, a determiner or none, and a run of words with a capital."""
    found = set()
    for a, word in enumerate(words[:-2]):
        if word.lower() not in _AUXILIARIES:
            continue
        i = a + 1 + (words[a + 1].lower() in _DETERMINERS)
        start = i
        while i < len(words) and words[i][:1].isupper():
            i += 1
        if start < i < len(words) and words[i][:1].islower():
            found.add(i)
    return found


def _name_goes_on(words: list[str], i: int) -> bool:
    """Whether words[i], written with a capital inside its sentence, is followed by another
    such word: both are part of one name, whose words may be plural ("Digital Rights Watch")."""
    return (
        0 < i < len(words) - 1
        and words[i][:1].isupper()
        and words[i + 1][:1].isupper()
        and content(words[i + 1])
    )


def _capitalised(phrase: str) -> bool:
    """Whether every word of `phrase` is written with a capital, as in a name."""
    return all(word[:1].isupper() for word in phrase.split())


def _no_repeats(phrase: str) -> bool:
    """Whether no content word comes twice ("model after model")."""
    words = [singular(w.lower()) for w in TOKEN.findall(phrase) if content(w)]
    return len(words) == len(set(words))

"""A deterministic FAKE of a sentence-embedding model, for tests of the lineage engine.

`concept_embed` turns a text into a hashed bag of *concepts*: each word of a synonym group
below stands for its group, every other word (small words dropped) for itself. So a text
rewritten with words of the same groups gets the same vector, as a real model would give
nearly the same; texts about other things share little. It knows nothing else about
language: use it to test the engine's logic, never to judge its quality (the test marked
`model` does that with all-MiniLM-L6-v2).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

DIM = 512
SYNONYMS = (
    "keep kept maintain retain hold store archive",
    "register list record records log logs",
    "dataset datasets corpus corpora data",
    "licensed purchased bought acquired acquisition obtained purchase purchases",
    "third outside external",
    "parties vendors suppliers",
    "terms conditions",
    "date when",
    "providers provider companies signatories signatory",
    "report reports reporting notify notifies",
    "incident incidents event events mishap mishaps",
    "days weeks deadline deadlines",
    "authority authorities regulator regulators office",
    "publish publishes published disclose discloses",
    "annual yearly annually",
    "energy electricity power",
    "test tests testing probe probes check checks",
    "model models system systems",
    "weights parameters",
    "encrypt encrypted encryption scramble scrambled",
    "staff employees personnel",
    "train trains training teach",
    "review reviews audit audits revisit",
    "document documents describe describes explain explains",
)
STOP = frozenset(
    "a an and are as at be by each every for from in into is it its of on or shall must "
    "that the their them they this to under was were which who whom with within".split()
)
_CONCEPT = {word: group.split()[0].upper() for group in SYNONYMS for word in group.split()}
_WORD = re.compile(r"[^\W_]+")


def concepts(text: str) -> list[str]:
    """The concepts of a text, in order."""
    return [_CONCEPT.get(word, word) for word in _WORD.findall(text.lower()) if word not in STOP]


def concept_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of hashed concept bags, one row per text (FAKE meaning, see above)."""
    out = np.zeros((len(texts), DIM))
    for row, text in enumerate(texts):
        for concept in concepts(text):
            digest = hashlib.blake2b(concept.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            out[row, value % DIM] += 1.0 if value >> 63 else -1.0
        norm = np.linalg.norm(out[row])
        if norm > 0:
            out[row] /= norm
        else:
            out[row, 0] = 1.0
    return out


class RecordingEmbed:
    """`concept_embed` that remembers every text it was asked for."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.calls = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return concept_embed(texts)

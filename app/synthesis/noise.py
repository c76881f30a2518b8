"""Set noise aside: comments that make no point of their own about the measure.

Three tests, all cheap and deterministic:

- content-free text ("+1", "see attached", "Agree with the above", "No comment at this
  stage", "We endorse the submission of our federation"): fewer than two content words once
  stop words and the vocabulary of such remarks are removed; numbers count as content ("Why
  10^25 and not 10^26?") and so do words of scripts written without spaces (one per two
  characters);
- isolated comments (off-topic remarks: "the portal logged me out", "when are the slides
  online?"): on sentence embeddings, a comment's mean cosine to its nearest distinct neighbours
  in the scope is far below that of the scope's typical comment. The bar is relative (a share of
  the scope's median), so it does not depend on how tight a scope is; identical and
  near-identical copies (a campaign, a repeated "+1") do not vouch for each other;
- remarks about the consultation itself ("Will the recordings of the workshop be published?",
  "the link to the annex is broken"), which vouch for each other as neighbours when a scope
  holds several: a comment nearer one of PROCESS_REMARKS (sentences about meetings, documents,
  links, deadlines and submissions of a consultation, embedded by the run's model) than to the
  scope's centre by PROCESS_MARGIN, and not in the denser half of the scope. A point about the
  measure's own deadlines or documents ("72 hours is too short to report") is nearer the
  scope's centre than any of them: on the five labelled sets the margin was chosen on, no
  substantive comment is set aside by this test; on the two written after, one ("where can I
  read the comments other people sent in?", on a measure whose theme is that very process).

A short comment with a point ("Six months is too short for SMEs.") has content words and sits
near the comments that make the same point, so it passes them all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from app.embedding.engine import unit_rows

NEIGHBOURS = 5  # distinct neighbours whose mean cosine measures how "surrounded" a comment is
ISOLATED_SHARE = 0.55  # isolated: neighbour cosine below this share of the scope's median
COPY_COSINE = 0.95  # neighbours at least this similar are copies and do not count
PROCESS_MARGIN = 0.2  # about the consultation: this much nearer a PROCESS_REMARK than the centre
PROCESS_DENSITY = 1.0  # ... and its neighbour cosine below this share of the scope's median
REFERENCE_ROWS = 4000  # past this, neighbours are looked for in a fixed sample of the scope
_CHUNK = 2048

_FILLER = frozenset(
    {"agree", "agreed", "agrees", "support", "supported", "supports", "fully", "comment",
     "comments", "commented", "refer", "referred", "attached", "attachment", "attachments",
     "submission", "submissions", "submitted", "submit", "paper", "position", "thank", "thanks",
     "yes", "ok", "okay", "n", "a", "na", "nothing", "add", "earlier", "previous", "letter",
     "document", "documents", "pdf", "file", "endorse", "endorsed", "noted", "ditto", "same",
     "opportunity", "contribute", "contribution", "statement", "joint", "response", "views",
     "section", "measure", "chapter", "proposal", "draft", "stage", "time", "moment",
     "please", "kindly", "regards", "dear", "hello", "hi", "great", "good", "nice", "fine",
     "interesting", "well", "work", "lol", "separately", "email", "later", "round", "note",
     "sir", "madam", "everything", "said", "above", "below", "text", "remarks", "feedback",
     # who else said it ("We endorse the submission of our federation"): no point of its own
     "organisation", "organisations", "organization", "organizations", "federation",
     "federations", "association", "associations", "partner", "partners", "colleagues",
     "posted"}
)  # fmt: skip
# What people write about a consultation rather than about the measure it consults on; the
# scope's own comments are compared with these by the run's model.
PROCESS_REMARKS = (
    "When and where will the next meeting of the working group take place?",
    "Will the slides and the recording of the session be made available?",
    "Can we register more participants for the plenary meeting?",
    "The website does not work: the page shows an error and I cannot log in.",
    "The download link for the document is broken.",
    "Could you send the draft as a Word file instead of a PDF?",
    "Can we have more time to submit our written feedback on this draft?",
    "We will send our full written submission by email next week.",
    "Will the submissions to this consultation be made public, and with whose names?",
    "Thank you for the opportunity to take part in this consultation process.",
    "We reserve our position and will comment at a later stage.",
    "Who should we contact at the secretariat with a question about the process?",
)
_TOKEN = re.compile(r"\d[\d.,^%]*|[^\W\d_]+", re.UNICODE)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def content_words(text: str) -> int:
    """How many words of `text` could carry a point (numbers included)."""
    words = 0
    for token in _TOKEN.findall(text.lower()):
        if token[0].isdigit():
            words += 1
        elif _UNSPACED.search(token):
            words += max(1, len(token) // 2)
        elif len(token) > 1 and token not in ENGLISH_STOP_WORDS and token not in _FILLER:
            words += 1
    return words


def is_content_free(text: str) -> bool:
    """True for comments with fewer than two content words ("+1", "see attached", "No
    comment at this stage", "Agree with the above")."""
    return content_words(text) < 2


def isolated(vectors: np.ndarray, candidates: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Boolean mask over `candidates` (row indices): rows whose mean cosine to their
    NEIGHBOURS nearest distinct rows among the candidates is below ISOLATED_SHARE of the
    median over all candidates. Fewer than 2 * NEIGHBOURS candidates: nothing is isolated."""
    if len(candidates) < 2 * NEIGHBOURS:
        return np.zeros(len(candidates), dtype=bool)
    density, median = _density(vectors, candidates, seed)
    return density < ISOLATED_SHARE * median


def about_the_process(
    vectors: np.ndarray, candidates: np.ndarray, process: np.ndarray, *, seed: int = 0,
    density: tuple[np.ndarray, float] | None = None,
) -> np.ndarray:
    """Boolean mask over `candidates` (row indices): remarks about the consultation itself,
    nearer one of the `process` vectors (PROCESS_REMARKS embedded by the same model) than to
    the candidates' centre by PROCESS_MARGIN, their neighbour cosine below PROCESS_DENSITY of
    the median (`density`: _density's, if already measured). Fewer than 2 * NEIGHBOURS
    candidates: none."""
    if len(candidates) < 2 * NEIGHBOURS or not len(process):
        return np.zeros(len(candidates), dtype=bool)
    rows = unit_rows(np.asarray(vectors, dtype=np.float32)[candidates])
    centre = unit_rows(rows.mean(axis=0, keepdims=True))[0]
    nearest = (rows @ unit_rows(np.asarray(process, dtype=np.float32)).T).max(axis=1)
    around, median = _density(vectors, candidates, seed) if density is None else density
    return (nearest - rows @ centre >= PROCESS_MARGIN) & (around < PROCESS_DENSITY * median)


def _density(
    vectors: np.ndarray, candidates: np.ndarray, seed: int
) -> tuple[np.ndarray, float]:
    """Each candidate's mean cosine to its NEIGHBOURS nearest distinct candidates, and the
    median of those."""
    rows = unit_rows(np.asarray(vectors, dtype=np.float32)[candidates])
    reference = rows
    if len(rows) > REFERENCE_ROWS:
        rng = np.random.default_rng(seed)
        reference = rows[np.sort(rng.choice(len(rows), REFERENCE_ROWS, replace=False))]
    density = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), _CHUNK):
        sims = rows[start : start + _CHUNK] @ reference.T
        sims[sims >= COPY_COSINE] = -1.0  # itself, and copies of itself
        top = np.partition(sims, -NEIGHBOURS, axis=1)[:, -NEIGHBOURS:]
        density[start : start + _CHUNK] = top.mean(axis=1)
    return density, float(np.median(density))


def noise_mask(
    vectors: np.ndarray, texts: Sequence[str], *, seed: int = 0, process: np.ndarray | None = None
) -> np.ndarray:
    """True for rows to leave unassigned: content-free texts, isolated comments and, if the
    `process` vectors (PROCESS_REMARKS in the vectors' model) are given, remarks about the
    consultation itself."""
    free = np.array([is_content_free(t) for t in texts], dtype=bool)
    rest = np.flatnonzero(~free)
    mask = free.copy()
    if len(rest) < 2 * NEIGHBOURS:
        return mask
    density = _density(vectors, rest, seed)
    mask[rest[density[0] < ISOLATED_SHARE * density[1]]] = True
    if process is not None:
        mask[rest[about_the_process(vectors, rest, process, density=density)]] = True
    return mask



"""Read the hand-written consultation set (bench/data/consultation/*.txt, format in its README),
the two held-out sets written in the same format (bench/data/heldout*/) and the older
bench/data/labelled_comments.jsonl with its theme descriptions, and recombine the consultation
set into a large multi-measure scope."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data"
CONSULTATION = DATA / "consultation"
# Written by writers who never read the engines, after the titles' weights were chosen (see
# docs/synthesis.md for what was chosen on them since).
HELD_OUT = DATA / "heldout"
HELD_OUT_2 = DATA / "heldout2"
HELD_OUT_3 = DATA / "heldout3"
HELD_OUT_4 = DATA / "heldout4"
HELD_OUT_5 = DATA / "heldout5"
OLD_SET = DATA / "labelled_comments.jsonl"
OLD_THEMES = DATA / "labelled_comments_themes.json"
NOISE = "noise"


@dataclass
class Measure:
    """A measure: its provision text and, per theme, a one-line human description."""

    key: str
    provision: str = ""
    themes: dict[str, str] = field(default_factory=dict)


def _row(line: str, measure: str, theme: str, campaign: str | None = None) -> dict:
    head, _, text = line.partition("|")
    category, stance = head.split()
    return {
        "text": text.strip(),
        "theme": theme,
        "measure": measure,
        "category": category,
        "stance": stance,
        "campaign": campaign,
    }


def parse(path: Path) -> tuple[Measure, list[dict]]:
    """One measure file: its Measure and its rows (dicts with text, theme, measure, category,
    stance, campaign)."""
    measure = Measure(key="")
    rows: list[dict] = []
    theme, campaign, letter = "", None, ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@measure "):
            measure.key = line.split(maxsplit=1)[1]
        elif line.startswith("@provision "):
            measure.provision = line.split(maxsplit=1)[1]
        elif line.startswith("@theme "):
            head, _, description = line.partition("|")
            theme, campaign = head.split()[1], None
            if description.strip() or theme not in measure.themes:  # bare "@theme id" reopens
                measure.themes[theme] = description.strip()
        elif line.startswith("@campaign "):
            head, _, letter = line.partition("|")
            _, theme, campaign = head.split()
            letter = letter.strip()
        elif line == "@noise":
            theme, campaign = NOISE, None
        elif campaign is not None:
            row = _row(line, measure.key, theme, campaign)
            before, _, after = row["text"].partition("||")
            if row["text"] == "=":
                before = after = ""
            row["text"] = " ".join(p for p in (before.strip(), letter, after.strip()) if p)
            rows.append(row)
        else:
            rows.append(_row(line, measure.key, theme))
    return measure, rows


def load_consultation(directory: Path = CONSULTATION) -> tuple[dict[str, Measure], list[dict]]:
    """A hand-written set (the consultation set unless `directory` names another, such as
    HELD_OUT): measures by key, and every row in file order."""
    measures: dict[str, Measure] = {}
    rows: list[dict] = []
    for path in sorted(directory.glob("*.txt")):
        measure, found = parse(path)
        measures[measure.key] = measure
        rows.extend(found)
    return measures, rows


def load_old_set() -> tuple[dict[str, Measure], list[dict]]:
    """bench/data/labelled_comments.jsonl (content-free rows relabelled "noise"), with the
    provisions and theme descriptions written for it in labelled_comments_themes.json."""
    described = json.loads(OLD_THEMES.read_text(encoding="utf-8"))
    measures = {
        key: Measure(key, item["provision"], dict(item["themes"]))
        for key, item in described.items()
    }
    rows = []
    for line in OLD_SET.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row["theme"] = NOISE if row["theme"] == "none" else row["theme"]
            row.setdefault("campaign", None)
            rows.append(row)
    return measures, rows


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def recombined_scope(rows: list[dict], measures: list[str], n: int, seed: int = 0) -> list[dict]:
    """`n` comments over `measures`: the set's own rows once, then comments recombined from it,
    each joining sentences of two or three different comments of one theme in a random order
    (noise rows and campaign letters are repeated whole), so the scope keeps the set's themes
    and campaigns with few exact repeats."""
    rng = random.Random(seed)
    pool = [r for r in rows if r["measure"] in measures]
    by_theme: dict[tuple[str, str], list[list[str]]] = {}
    for row in pool:
        if row["theme"] != NOISE and not row["campaign"]:
            sentences = [s for s in _SENTENCE.split(row["text"]) if s.strip()]
            by_theme.setdefault((row["measure"], row["theme"]), []).append(sentences)
    out = [dict(r) for r in pool[:n]]
    while len(out) < n:
        base = rng.choice(pool)
        if base["theme"] == NOISE or base["campaign"]:
            out.append(dict(base))
            continue
        donors = by_theme[(base["measure"], base["theme"])]
        out.append(dict(base, text=" ".join(recombine(donors, rng))))
    return out


def recombine(donors: list[list[str]], rng: random.Random) -> list[str]:
    """A new comment of a theme: a sentence or two from each of two or three of its comments
    (`donors`, each a list of sentences), shuffled, no sentence twice."""
    parts: list[str] = []
    for sentences in rng.sample(donors, min(len(donors), rng.choice((2, 2, 3)))):
        start = rng.randrange(len(sentences))
        parts.extend(sentences[start : start + rng.choice((1, 1, 2))])
    rng.shuffle(parts)
    return list(dict.fromkeys(parts))

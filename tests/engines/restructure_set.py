"""The restructuring benchmark (bench/data/restructure) as alignment nodes, and its scoring.

Two Markdown round files of our own (151 measures restructured into 148: chapters and
commitments merged and split, every measure renumbered, 35 heavy rewrites, splits into two
and three, merges of two and three, template look-alikes, removals and additions) and the
truth per provision, by number label (chapters by title). Nodes are built the way the draft
importer builds them: text is the rendered body's plain text, round-1 keys are minted.
Used by bench/bench_lineage.py and tests/engines/test_meaning.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.drafting.alignment import Alignment, Node, mint_key
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.parser import parse_draft

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "restructure"
LEVELS = {"chapter": "chapters", "commitment": "commitments", "measure": "measures"}


@dataclass(frozen=True)
class Score:
    """Links of one level scored against the truth."""

    targets: int  # old provisions linked to exactly the right new ones
    kinds: int  # ... and with the right kind
    total: int
    false_added: int  # new provisions reported as added that have a predecessor
    misses: tuple[str, ...]


def round_nodes(path: Path) -> list[Node]:
    """The provisions of a round file as alignment nodes, as the importer makes them."""
    parsed = parse_draft(path.read_text(encoding="utf-8"), str(path))
    return [
        Node(p.index, p.key, p.kind, p.label, p.number, p.title,
             plain_text(render_markdown(p.body)), p.parent)
        for p in parsed.provisions
    ]  # fmt: skip


def with_minted_keys(nodes: Sequence[Node]) -> list[Node]:
    """First-round nodes with the keys the importer would mint for them."""
    taken: set[str] = set()
    keyed = []
    for n in nodes:
        key = n.key or mint_key(n, taken)
        taken.add(key)
        keyed.append(Node(n.index, key, n.kind, n.label, n.number, n.title, n.text, n.parent))
    return keyed


@cache
def rounds(variant: str = "2") -> tuple[tuple[Node, ...], tuple[Node, ...]]:
    """(round 1 with minted keys, round 2 without keys); `variant` "2-heldout" is the
    held-out plan (round2-heldout.yaml), written after the engine was calibrated on "2"."""
    old = with_minted_keys(round_nodes(DATA / "1.md"))
    return tuple(old), tuple(round_nodes(DATA / f"{variant}.md"))


@cache
def truth(variant: str = "2") -> dict:
    name = "truth.json" if variant == "2" else f"truth-{variant}.json"
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def name(node: Node) -> str:
    return node.label or node.title


def score(
    alignment: Alignment,
    old: Sequence[Node],
    new: Sequence[Node],
    kind: str = "measure",
    variant: str = "2",
) -> Score:
    """How many old provisions of `kind` got the right targets and kind, and false additions."""
    level = truth(variant)[LEVELS[kind]]
    expected = {link["from"]: (frozenset(link["to"]), link["kind"]) for link in level["links"]}
    targets = kinds = 0
    misses = []
    for link in alignment.links:
        node = old[link.old]
        if node.kind != kind:
            continue
        want_targets, want_kind = expected[name(node)]
        got = frozenset(name(new[j]) for j in link.new)
        targets += got == want_targets
        kinds += got == want_targets and link.kind == want_kind
        if (got, link.kind) != (want_targets, want_kind):
            misses.append(f"{name(node)}: {sorted(got)} {link.kind}, "
                          f"expected {sorted(want_targets)} {want_kind}")  # fmt: skip
    added = {name(new[j]) for j in alignment.added if new[j].kind == kind}
    false_added = len(added - set(level["added"]))
    return Score(targets, kinds, len(expected), false_added, tuple(misses))

"""The lineage engine on the demo Code: every measure link between consecutive rounds.

The four rounds in drafts/gpai-code/ are parsed and aligned the way the draft importer does
(text is the rendered body's plain text, round 1 keys are minted, later rounds keep the
keys the previous alignment gave them, every key seen so far is reserved), and the measure
links are compared by label with drafts/gpai-code/expected-lineage.json.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from app.drafting.alignment import Node, align, mint_key
from app.drafting.markdown import plain_text, render_markdown
from app.drafting.parser import parse_draft

DEMO = Path(__file__).resolve().parents[2] / "drafts" / "gpai-code"
ROUNDS = (1, 2, 3, 4)
REQUIRED = 101

Link = tuple[str, tuple[str, ...], str]  # from label, to labels (sorted), kind


def _nodes(number: int) -> list[Node]:
    path = DEMO / f"{number}.md"
    parsed = parse_draft(path.read_text(encoding="utf-8"), str(path))
    return [
        Node(p.index, p.key, p.kind, p.label, p.number, p.title,
             plain_text(render_markdown(p.body)), p.parent)
        for p in parsed.provisions
    ]  # fmt: skip


@cache
def demo_links() -> tuple[Link, ...]:
    """The measure links the engine finds between each pair of consecutive demo rounds."""
    nodes = _nodes(ROUNDS[0])
    taken = {node.key for node in nodes if node.key}
    keys = []
    for node in nodes:
        key = node.key or mint_key(node, taken)
        taken.add(key)
        keys.append(key)
    old = [Node(n.index, k, n.kind, n.label, n.number, n.title, n.text, n.parent)
           for n, k in zip(nodes, keys, strict=True)]  # fmt: skip
    found: list[Link] = []
    for number in ROUNDS[1:]:
        new = _nodes(number)
        result = align(old, new, reserved=taken)
        for link in result.links:
            if old[link.old].kind == "measure":
                to = tuple(sorted(new[j].label or "" for j in link.new))
                found.append((old[link.old].label or "", to, link.kind))
        taken |= set(result.keys)
        old = [Node(n.index, k, n.kind, n.label, n.number, n.title, n.text, n.parent)
               for n, k in zip(new, result.keys, strict=True)]  # fmt: skip
    return tuple(found)


def expected_links() -> tuple[Link, ...]:
    data = json.loads((DEMO / "expected-lineage.json").read_text(encoding="utf-8"))
    return tuple(
        (link["from"], tuple(sorted(link["to"])), link["kind"])
        for transition in data["transitions"]
        for link in transition["links"]
    )


def test_demo_measure_links_match_the_expected_lineage():
    expected = expected_links()
    found = demo_links()
    assert len(found) == len(expected)
    misses = [
        (position, want, got)
        for position, (want, got) in enumerate(zip(expected, found, strict=True))
        if want != got
    ]
    for position, want, got in misses:
        print(f"miss at link {position}: expected {want}, got {got}")
    right = len(expected) - len(misses)
    print(f"demo measure links right: {right}/{len(expected)}")
    assert right >= REQUIRED, misses

"""Benchmark the lineage engine: accuracy on four labelled sets, and speed on 1,000 provisions.

Sets, each with its truth:
- restructure: our restructuring of 151 measures into 148 (bench/data/restructure: chapters
  and commitments merged and split, every measure renumbered, 35 heavy rewrites, splits and
  merges of two and three, template look-alikes, removals, additions); measures count;
- held-out: another plan over the same first round with 22 fresh heavy rewrites
  (round2-heldout.yaml), written after the engine was calibrated on the first; measures;
- labelled: the hand-labelled cases of tests/engines/lineage_cases.py (all provisions);
- demo: the measure links between consecutive rounds of the demo Code (drafts/gpai-code);
- generated: a generated 1,026-provision round (tests/engines/generated_round.py).

Methods: `text`, today's engine (align without embed); `meaning`, align with vectors of
all-MiniLM-L6-v2 (the real model; vectors cached in bench/out/lineage-vectors.npz, so only
the first run embeds); `naive`, each old provision to the new one of its kind with the most
similar title and text (TF-IDF cosine of at least 0.3), kinds unchanged or modified only.
Counts: old provisions linked to the right new ones, with the right kind too, and new
provisions wrongly reported as added. Speed: align on the generated round, text-only and
with vectors cached, best of --repeats, and their ratio (what counts on a shared machine).

Run: .venv/bin/python -m bench.bench_lineage [--seed N] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.drafting.alignment import Alignment, Link, Node, align
from app.drafting.parser import parse_draft
from app.drafting.similarity import Similarity, normalised
from tests.engines import restructure_set
from tests.engines.generated_round import Truth, generate_rounds, render, to_nodes, walk
from tests.engines.lineage_cases import CASES, nodes
from tests.engines.test_demo_lineage import DEMO, ROUNDS, _nodes, expected_links

__all__ = ["generate_rounds", "render", "to_nodes"]  # bench_import.py uses these

OUT = Path(__file__).resolve().parent / "out" / "lineage-vectors.npz"
NAIVE_FLOOR = 0.3
Method = Callable[..., Alignment]
Counts = tuple[int, int, int, int]  # targets right, kinds right, total, false added


class CachedEmbed:
    """The real model's vectors, cached on disk by text."""

    def __init__(self, path: Path = OUT) -> None:
        self.path, self.vectors, self.model, self.embedded = path, {}, None, 0
        if path.exists():
            data = np.load(path)
            self.vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            if self.model is None:
                from app.embedding.engine import SentenceTransformerEmbedder

                self.model = SentenceTransformerEmbedder()
            for text, vector in zip(missing, self.model.encode(missing), strict=True):
                self.vectors[text] = vector
            self.embedded += len(missing)
        return np.stack([self.vectors[t] for t in texts])

    def save(self) -> None:
        if self.embedded:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            texts = sorted(self.vectors)
            vectors = np.stack([self.vectors[t] for t in texts])
            np.savez_compressed(self.path, texts=np.array(texts), vectors=vectors)


def naive(old: Sequence[Node], new: Sequence[Node], **_: object) -> Alignment:
    """Each old provision to the most similar new one of its kind (title and text), if any."""
    sim = Similarity([(n.title, n.text) for n in old], [(n.title, n.text) for n in new])
    links, used = [], set()
    for kind in sorted({n.kind for n in old}):
        rows = [n.index for n in old if n.kind == kind]
        cols = [n.index for n in new if n.kind == kind]
        scores = sim.content(np.array(rows), np.array(cols)) if cols else None
        for r, i in enumerate(rows):
            c = int(np.argmax(scores[r])) if scores is not None else -1
            if c < 0 or scores[r, c] < NAIVE_FLOOR:
                links.append(Link(i, (), "removed", 0.0))
                continue
            j = cols[c]
            used.add(j)
            same = (old[i].title, normalised(old[i].text)) == (
                new[j].title,
                normalised(new[j].text),
            )
            links.append(Link(i, (j,), "unchanged" if same else "modified", float(scores[r, c])))
    links.sort(key=lambda link: link.old)
    added = tuple(j for j in range(len(new)) if j not in used)
    return Alignment(tuple(links), added, tuple(n.key or "" for n in new))


def on_restructure(method: Method, variant: str = "2") -> Counts:
    old, new = restructure_set.rounds(variant)
    s = restructure_set.score(method(old, new), old, new, variant=variant)
    return s.targets, s.kinds, s.total, s.false_added


def on_labelled(method: Method) -> Counts:
    totals = [0, 0, 0, 0]
    for case in CASES:
        old, old_index = nodes(case.old, keyed=True)
        new, new_index = nodes(case.new, keyed=False)
        pinned = {old_index[k]: tuple(new_index[r] for r in v) for k, v in case.pinned.items()}
        result = method(old, new, pinned=pinned)
        refs = [spec[0] for spec in case.new]
        for link in result.links:
            targets, kind = case.expected[old[link.old].key or ""]
            right = tuple(refs[j] for j in link.new) == targets
            totals[0] += right
            totals[1] += right and link.kind == kind
            totals[2] += 1
        totals[3] += len({refs[j] for j in result.added} - case.added)
    return totals[0], totals[1], totals[2], totals[3]


def on_demo(method: Method) -> Counts:
    transitions = json.loads((DEMO / "expected-lineage.json").read_text(encoding="utf-8"))
    old = restructure_set.with_minted_keys(_nodes(ROUNDS[0]))
    taken = {n.key for n in old if n.key}
    found, false_added = [], 0
    for number, transition in zip(ROUNDS[1:], transitions["transitions"], strict=True):
        new = _nodes(number)
        result = method(old, new, reserved=taken)
        for link in result.links:
            if old[link.old].kind == "measure":
                to = tuple(sorted(new[j].label or "" for j in link.new))
                found.append((old[link.old].label or "", to, link.kind))
        added = {new[j].label for j in result.added if new[j].kind == "measure"}
        false_added += len(added - set(transition["added"]))
        taken |= set(result.keys)
        old = [Node(n.index, k, n.kind, n.label, n.number, n.title, n.text, n.parent)
               for n, k in zip(new, result.keys, strict=True)]  # fmt: skip
    expected = expected_links()
    targets = sum(f[:2] == e[:2] for f, e in zip(found, expected, strict=True))
    kinds = sum(f == e for f, e in zip(found, expected, strict=True))
    return targets, kinds, len(expected), false_added


def score_generated(
    result: Alignment, old_keys: Sequence[str], new_ids: Sequence[str], truth: Truth
) -> Counts:
    targets = kinds = 0
    for link in result.links:
        expected_targets, expected_kind = truth[old_keys[link.old]]
        right = frozenset(new_ids[j] for j in link.new) == expected_targets
        targets += right
        kinds += right and link.kind == expected_kind
    linked = {ident for found, _ in truth.values() for ident in found}
    false_added = sum(1 for j in result.added if new_ids[j] in linked)
    return targets, kinds, len(result.links), false_added


def best_of(repeats: int, function: Callable[..., object], *args: object, **kwargs: object):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def _row(name: str, counts: Counts) -> str:
    targets, kinds, total, false_added = counts
    return (
        f"  {name:8} targets {targets:4}/{total:<4} kinds {kinds:4}/{total:<4} "
        f"false added {false_added}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    embed = CachedEmbed()
    methods: dict[str, Method] = {
        "text": align,
        "meaning": lambda old, new, **kw: align(old, new, embed=embed, **kw),
        "naive": naive,
    }
    old_items, new_items, truth = generate_rounds(random.Random(args.seed))
    old_md, new_md = render(old_items, 1, keyed=True), render(new_items, 2, keyed=False)
    t_parse_old, old_round = best_of(args.repeats, parse_draft, old_md, "gen/1.md")
    t_parse_new, new_round = best_of(args.repeats, parse_draft, new_md, "gen/2.md")
    old, new = to_nodes(old_round), to_nodes(new_round)
    old_keys = [node.key or "" for node in old]
    new_ids = [item.ident for item, _ in walk(new_items)]

    def on_generated(method: Method) -> Counts:
        return score_generated(method(old, new), old_keys, new_ids, truth)

    sets: dict[str, Callable[[Method], Counts]] = {
        "restructure (measures)": on_restructure,
        "held-out restructure (measures)": lambda method: on_restructure(method, "2-heldout"),
        "labelled cases": on_labelled,
        "demo Code (measures)": on_demo,
        f"generated round (seed {args.seed})": on_generated,
    }
    for name, run_set in sets.items():
        print(name)
        for method_name, method in methods.items():
            print(_row(method_name, run_set(method)))
    embed.save()
    if embed.embedded:
        print(f"(embedded {embed.embedded} new texts with the real model; cached in {OUT})")
    t_text, _ = best_of(args.repeats, align, old, new)
    t_meaning, _ = best_of(args.repeats, align, old, new, embed=embed)
    print(f"generated: {len(old)} -> {len(new)} provisions")
    print(f"parse old {t_parse_old * 1000:7.1f} ms, parse new {t_parse_new * 1000:7.1f} ms")
    print(f"align text only        {t_text * 1000:7.1f} ms")
    print(
        f"align meaning (cached) {t_meaning * 1000:7.1f} ms  = {t_meaning / t_text:.1f}x text only"
    )


if __name__ == "__main__":
    main()

"""Build the restructuring benchmark: round1.yaml + round2.yaml -> 1.md, 2.md, truth.json.

Round 1 is written out as it is; round 2 is a plan over round 1 (see round2.yaml). Both files
follow the draft format of CONTRACT section 1 (chapters, commitments, measures; no keys, so
the importer mints them). Commitments are numbered through the document and measures within
their commitment ("Measure 7.3"), so every carried-over measure gets a new number label and
the old labels are reused by other measures.

The truth names provisions by number label (measures, commitments) or title (chapters), as
`plenary export lineage` does, with the kinds of CONTRACT section 4:

- several targets: split; a target with several sources: merged (every source);
- else moved when the new parent is not the one that continues the old parent's key (the
  first new parent that names it first in `from`);
- else unchanged (same title and text) or modified.

Run: .venv/bin/python bench/data/restructure/build.py [PLAN OUT]
(default: round2.yaml -> 2.md and truth.json; e.g. round2-heldout.yaml 2-heldout writes
2-heldout.md and truth-2-heldout.json, and lets labels be kept).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
HEAVY = 0.3  # word overlap (Jaccard of word sets) below which a rewrite counts as heavy
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of the word sets of two texts."""
    x, y = _words(a), _words(b)
    return len(x & y) / max(len(x | y), 1)


def _front(number: int, name: str) -> list[str]:
    return [
        "---",
        "code: restructure-bench",
        "title: Code of Practice for General-Purpose AI Models (benchmark)",
        f"round: {number}",
        f"name: {name}",
        f"date: 2026-0{number}-15",
        "final: false",
        "visibility: public",
        "levels: [chapter, commitment, measure]",
        "---",
        "",
    ]


def _wrap(text: str, width: int = 96) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _source_list(entry: dict[str, Any]) -> list[str]:
    sources = entry.get("from", [])
    return [sources] if isinstance(sources, str) else list(sources)


def number_round(chapters: list[dict[str, Any]]) -> None:
    """Give each commitment and measure its number label (in place)."""
    commitment = 0
    for chapter in chapters:
        for item in chapter["commitments"]:
            commitment += 1
            item["label"] = f"Commitment {commitment}"
            item["number"] = str(commitment)
            for position, measure in enumerate(item["measures"], start=1):
                measure["label"] = f"Measure {commitment}.{position}"
                measure["number"] = f"{commitment}.{position}"


def resolve_round2(
    plan: list[dict[str, Any]], old: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Fill in titles and texts of the round-2 plan from round 1 where the plan keeps them."""
    for chapter in plan:
        sources = _source_list(chapter)
        chapter.setdefault("text", old[sources[0]]["text"] if sources else "")
        for commitment in chapter["commitments"]:
            sources = _source_list(commitment)
            base = old[sources[0]] if sources else {}
            commitment.setdefault("text", base.get("text", ""))
            for measure in commitment["measures"]:
                sources = _source_list(measure)
                if "new" in measure:
                    continue
                base = old[sources[0]]
                measure.setdefault("title", base["title"])
                text = base["text"]
                for before, after in measure.get("replace", []):
                    if before not in text:
                        raise ValueError(f"{sources[0]}: {before!r} not in the text")
                    text = text.replace(before, after)
                measure.setdefault("text", text)
    return plan


def render(chapters: list[dict[str, Any]], number: int, name: str) -> str:
    """The Markdown round file."""
    out = _front(number, name)
    for chapter in chapters:
        out += [f"# {chapter['title']}", "", *_wrap(chapter["text"]), ""]
        for commitment in chapter["commitments"]:
            heading = f"## Commitment {commitment['number']}: {commitment['title']}"
            out += [heading, "", *_wrap(commitment["text"]), ""]
            for measure in commitment["measures"]:
                out += [f"### Measure {measure['number']}: {measure['title']}", ""]
                out += [*_wrap(measure["text"]), ""]
    return "\n".join(out)


def _kind(
    targets: list[dict[str, Any]],
    sources_of: dict[int, list[str]],
    same_parent: bool,
    same_text: bool,
) -> str:
    if not targets:
        return "removed"
    if len(targets) > 1:
        return "split"
    if len(sources_of[id(targets[0])]) > 1:
        return "merged"
    if not same_parent:
        return "moved"
    return "unchanged" if same_text else "modified"


def _heirs(items: list[dict[str, Any]]) -> dict[str, int]:
    """Old id -> the new item (by id()) that continues its key: the first naming it first."""
    heirs: dict[str, int] = {}
    for item in items:
        sources = _source_list(item)
        if sources and sources[0] not in heirs:
            heirs[sources[0]] = id(item)
    return heirs


def truth(
    round1: list[dict[str, Any]], round2: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Links per level (chapters, commitments, measures) and the added provisions."""
    levels: dict[str, Any] = {}
    old_parent: dict[str, str | None] = {}
    new_parent: dict[int, int | None] = {}
    old_levels = {
        "chapters": list(round1),
        "commitments": [c for ch in round1 for c in ch["commitments"]],
        "measures": [m for ch in round1 for c in ch["commitments"] for m in c["measures"]],
    }
    new_levels = {
        "chapters": list(round2),
        "commitments": [c for ch in round2 for c in ch["commitments"]],
        "measures": [m for ch in round2 for c in ch["commitments"] for m in c["measures"]],
    }
    for chapter in round1:
        old_parent[chapter["id"]] = None
        for commitment in chapter["commitments"]:
            old_parent[commitment["id"]] = chapter["id"]
            for measure in commitment["measures"]:
                old_parent[measure["id"]] = commitment["id"]
    for chapter in round2:
        new_parent[id(chapter)] = None
        for commitment in chapter["commitments"]:
            new_parent[id(commitment)] = id(chapter)
            for measure in commitment["measures"]:
                new_parent[id(measure)] = id(commitment)
    heirs: dict[str, int] = {}
    for level in ("chapters", "commitments", "measures"):
        heirs |= _heirs(new_levels[level])
    for level in ("chapters", "commitments", "measures"):
        sources_of = {id(item): _source_list(item) for item in new_levels[level]}
        links = []
        for item in old_levels[level]:
            targets = [t for t in new_levels[level] if item["id"] in sources_of[id(t)]]
            parent = old_parent[item["id"]]
            same_parent = bool(targets) and (
                new_parent[id(targets[0])] == (heirs.get(parent) if parent else None)
            )
            same_text = bool(targets) and (
                (targets[0]["title"], " ".join(targets[0]["text"].split()))
                == (item["title"], " ".join(item["text"].split()))
            )
            kind = _kind(targets, sources_of, same_parent, same_text)
            link: dict[str, Any] = {
                "from": item.get("label", item["title"]),
                "to": [t.get("label", t["title"]) for t in targets],
                "kind": kind,
                "id": item["id"],
            }
            if kind in ("modified", "moved"):
                link["overlap"] = round(overlap(item["text"], targets[0]["text"]), 3)
                link["heavy"] = link["overlap"] < HEAVY
            links.append(link)
        added = [t.get("label", t["title"]) for t in new_levels[level] if not sources_of[id(t)]]
        levels[level] = {"links": links, "added": added}
    return levels


def _check_renumbered(links: list[dict[str, Any]]) -> None:
    kept = [link["from"] for link in links if link["from"] in link["to"]]
    if kept:
        raise ValueError(f"measures that kept their number label: {kept}")


def main() -> None:
    round1 = yaml.safe_load((HERE / "round1.yaml").read_text(encoding="utf-8"))
    plan_name, out = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else ("round2.yaml", "2")
    plan = yaml.safe_load((HERE / plan_name).read_text(encoding="utf-8"))
    old = {
        item["id"]: item
        for chapter in round1
        for item in [chapter, *chapter["commitments"]]
        + [m for c in chapter["commitments"] for m in c["measures"]]
    }
    round2 = resolve_round2(plan, old)
    number_round(round1)
    number_round(round2)
    (HERE / "1.md").write_text(render(round1, 1, "First draft"), encoding="utf-8")
    (HERE / f"{out}.md").write_text(render(round2, 2, "Second draft"), encoding="utf-8")
    levels = truth(round1, round2)
    if out == "2":
        _check_renumbered(levels["measures"]["links"])
    measures = levels["measures"]["links"]
    heavy = [link["overlap"] for link in measures if link.get("heavy")]
    kinds: dict[str, int] = {}
    for link in measures:
        kinds[link["kind"]] = kinds.get(link["kind"], 0) + 1
    sizes = sorted(len(link["to"]) for link in measures if link["kind"] == "split")
    document = {
        "code": "restructure-bench",
        "from": 1,
        "to": 2,
        "about": "Ground truth of the restructuring benchmark (bench/data/restructure). Links "
        "name provisions by number label (chapters by title); `overlap` is the Jaccard overlap "
        "of the word sets of the old and new text; `heavy` marks rewrites below 0.3.",
        "summary": {
            "measures_round_1": len(measures),
            "measures_round_2": sum(len(c["measures"]) for ch in round2 for c in ch["commitments"]),
            "kinds": kinds,
            "added": len(levels["measures"]["added"]),
            "heavy_rewrites": len(heavy),
            "median_heavy_overlap": round(statistics.median(heavy), 3) if heavy else None,
            "split_sizes": sizes,
            "merge_sizes": sorted(
                len([s for s in measures if s["kind"] == "merged" and s["to"] == link["to"]])
                for link in measures
                if link["kind"] == "merged"
                and link["from"]
                == min((s["from"] for s in measures if s["to"] == link["to"]), key=str)
            ),
        },
        **levels,
    }
    name = "truth.json" if out == "2" else f"truth-{out}.json"
    (HERE / name).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(document["summary"]))


if __name__ == "__main__":
    main()

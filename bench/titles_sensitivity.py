"""How much title naming moves with the title constants, and whether choosing them on the sets
would carry over to a measure they were not chosen on (leave one measure out).

    .venv/bin/python -m bench.titles_sensitivity

Themes are found once per measure (find_themes, as bench_synthesis_quality does) and kept; only
the titles are redone for each setting of CONTRAST, ANCHOR and DIVERSITY (app/synthesis/
titles.py) around the shipped ones. Naming is bench_synthesis_quality's: the size-weighted share
of found themes whose title is nearer their commonest true theme's description than any other
of the measure's, also apart on themes one true theme holds 80% of ("pure") and the others.
Leave one measure out: for each of the 13 measures, the setting with most hits on the other 12,
scored on the held-out one. A change to title scoring should beat the shipped setting across
this grid, not at one point of it: one found theme is 1-9% of a set's weight.
"""

from __future__ import annotations

import itertools
import os
import time

import numpy as np

from app.synthesis import titles
from app.synthesis.titles import theme_titles
from bench.bench_synthesis_quality import groups_of, mostly_one, naming, new
from bench.consultation_data import load_consultation, load_old_set
from bench.vector_cache import CachedEmbedder

GRID = {"CONTRAST": (0.5, 1.0, 2.0), "ANCHOR": (0.15, 0.3, 0.6), "DIVERSITY": (0.15, 0.3, 0.6)}
PARTS = ("all", "pure", "mixed")


def scopes(embed) -> list[dict]:
    """Per measure of both sets: its found themes' rows and texts, nearest the centre first."""
    found = []
    for name, (measures, rows) in (("consultation", load_consultation()), ("old", load_old_set())):
        vectors = embed([r["text"] for r in rows])
        for key, measure in sorted(measures.items()):
            idx = [i for i, r in enumerate(rows) if r["measure"] == key]
            texts = [rows[i]["text"] for i in idx]
            groups = groups_of(new(vectors[idx], texts, measure), vectors[idx], texts)
            truth = np.array([rows[i]["theme"] for i in idx])
            docs = [[texts[r] for r in g] for g in groups]
            found.append(
                {
                    "set": name,
                    "key": key,
                    "measure": measure,
                    "groups": groups,
                    "docs": docs,
                    "truth": truth,
                    "pure": mostly_one(groups, truth),
                }
            )
    return found


def hits(scope: dict, embed) -> dict[str, tuple[float, float]]:
    """(hits, weight) of the titles of one measure, on all its themes, pure ones, mixed ones."""
    measure = scope["measure"]
    found = theme_titles(scope["docs"], embed, provision_texts=[measure.provision])
    out = {}
    for part in PARTS:
        kinds = ["pure" if pure else "mixed" for pure in scope["pure"]]
        keep = [i for i, kind in enumerate(kinds) if part in ("all", kind)]
        strings, groups = [found[i] for i in keep], [scope["groups"][i] for i in keep]
        out[part] = naming(strings, groups, scope["truth"], measure, embed)
    return out


def rate(table: dict, keys: list[str], part: str = "all") -> float:
    weight = sum(table[k][part][1] for k in keys)
    return sum(table[k][part][0] for k in keys) / weight if weight else 0.0


def main() -> None:
    embed = CachedEmbedder()
    load = os.popen("uptime").read().strip()
    started = time.perf_counter()
    found = scopes(embed)
    keys = [f"{s['set']}:{s['key']}" for s in found]
    sets = {name: [k for k in keys if k.startswith(name + ":")] for name in ("consultation", "old")}
    shipped = tuple(getattr(titles, name) for name in GRID)
    results = {}
    for setting in itertools.product(*GRID.values()):
        for name, value in zip(GRID, setting, strict=True):
            setattr(titles, name, value)
        results[setting] = {k: hits(s, embed) for k, s in zip(keys, found, strict=True)}
    for name, value in zip(GRID, shipped, strict=True):
        setattr(titles, name, value)
    print(f"uptime at the start: {load}")
    print(f"title naming, {len(results)} settings of {', '.join(GRID)}; shipped {shipped}")
    print(f"{'set':<14}{'part':<7}{'shipped':>9}{'grid min':>10}{'grid max':>10}{'held out':>10}")
    for name, members in sets.items():
        for part in PARTS:
            held = {}
            for k in members:
                rest = [x for x in keys if x != k]
                best = max(results, key=lambda s: (rate(results[s], rest), s == shipped))
                held[k] = results[best][k]
            grid = [rate(table, members, part) for table in results.values()]
            print(
                f"{name:<14}{part:<7}{rate(results[shipped], members, part):>9.3f}"
                f"{min(grid):>10.3f}{max(grid):>10.3f}{rate(held, members, part):>10.3f}"
            )
    embed.save()
    print(f"{time.perf_counter() - started:.0f} s; uptime at the end: {os.popen('uptime').read()}")


if __name__ == "__main__":
    main()

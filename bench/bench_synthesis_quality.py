"""How well themes, noise, campaigns, titles and seeding match human coding.

    .venv/bin/python -m bench.bench_synthesis_quality            # seven sets, seeding, 10,000
    .venv/bin/python -m bench.bench_synthesis_quality --quick    # skip the 10,000-comment scope
    .venv/bin/python -m bench.bench_synthesis_quality --quick --only "held-out C"

Sets: bench/data/consultation (hand-written, 10 measures), bench/data/labelled_comments.jsonl (3
measures) and five held-out sets, bench/data/heldout, heldout2 ... heldout5 (4 measures
each, written by writers who never read the engines, after the titles' weights were chosen: closer
to what to expect on an unseen set), each measure clustered as its own scope. Methods: today's
`cluster` with its keyword label (title) and first representative (summary); `find_themes` with
`describe_themes`; KMeans told the true number of themes (fitted on the rows that are not noise, so
it is given the noise too). Measures, averaged over measures: ARI and V-measure on rows that are
not noise (-1 counts as one more label), themes found per true theme, share of noise rows left
unassigned, share of substantive rows left unassigned; campaign pair F1 of find_duplicate_groups;
title and summary "naming" (size-weighted share of found themes whose text is nearer, by cosine
with the real model, to the description of the theme most of its comments belong to than to any
other theme description of the measure), title naming also apart on found themes that one true
theme holds 80% of and on mixed ones (where only the commonest true theme counts).
Seeding: ARI/V on rows not seeded, after m simulated corrections per true theme. Then a
10,000-comment scope recombined from four measures. The real model's vectors are cached in
bench/out/ by text hash.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, v_measure_score

from app.synthesis.clustering import cluster
from app.synthesis.duplicates import find_duplicate_groups
from app.synthesis.labels import ctfidf_keywords, label_from_keywords, tokens
from app.synthesis.noise import PROCESS_REMARKS
from app.synthesis.seeding import seeded_themes
from app.synthesis.themes import find_themes
from app.synthesis.titles import describe_themes
from bench.consultation_data import (
    HELD_OUT,
    HELD_OUT_2,
    HELD_OUT_3,
    HELD_OUT_4,
    HELD_OUT_5,
    NOISE,
    Measure,
    load_consultation,
    load_old_set,
    recombined_scope,
)
from bench.vector_cache import CachedEmbedder

Method = Callable[[np.ndarray, list[str], Measure], np.ndarray]
SPREAD_SEEDS = 4  # clustering seeds over which the title rate is also printed
# noise.PROCESS_REMARKS in the bench's model, as a run embeds them (set once in main)
PROCESS: np.ndarray | None = None
PURE = 0.8  # a found theme is "pure" when one true theme holds this share of its real rows


def today(vectors: np.ndarray, texts: list[str], measure: Measure) -> np.ndarray:
    return np.asarray(cluster(vectors, texts, min_theme_size=2, seed=0).labels)


def new(vectors: np.ndarray, texts: list[str], measure: Measure) -> np.ndarray:
    return np.asarray(find_themes(vectors, texts, min_theme_size=2, seed=0,
                                  process=PROCESS).labels)


def kmeans_told_k(vectors: np.ndarray, texts: list[str], measure: Measure) -> np.ndarray:
    truth_k = len(measure.themes)
    return KMeans(truth_k, n_init=10, random_state=0).fit_predict(vectors)


def today_texts(groups: list[list[str]], embed, measure: Measure) -> tuple[list, list]:
    words = ctfidf_keywords(groups, discount={w for w in tokens(measure.provision)})
    labels = [label_from_keywords(k, docs) for k, docs in zip(words, groups, strict=True)]
    return labels, [docs[0] for docs in groups]


def new_texts(groups: list[list[str]], embed, measure: Measure) -> tuple[list, list]:
    found = describe_themes(groups, embed, provision_texts=[measure.provision])
    return [f.title for f in found], [f.summary for f in found]


def groups_of(labels: np.ndarray, vectors: np.ndarray, texts: list[str]) -> list[np.ndarray]:
    """Rows of each found theme, nearest its centre first."""
    out = []
    for theme in range(int(labels.max()) + 1 if len(labels) else 0):
        rows = np.flatnonzero(labels == theme)
        if len(rows):
            centre = vectors[rows].mean(axis=0)
            out.append(rows[np.argsort(-(vectors[rows] @ centre), kind="stable")])
    return out


def naming(strings, groups, truth, measure: Measure, embed) -> tuple[float, float]:
    """Size-weighted hits and weight of themes whose string is nearest its own description."""
    keys = list(measure.themes)
    described = embed([measure.themes[k] for k in keys])
    sims = embed([s or "-" for s in strings]) @ described.T
    hits = weight = 0.0
    for string_sims, rows in zip(sims, groups, strict=True):
        real = [truth[r] for r in rows if truth[r] != NOISE]
        if real:
            own = Counter(real).most_common(1)[0][0]
            weight += len(rows)
            hits += len(rows) * (keys[int(np.argmax(string_sims))] == own)
    return hits, weight


def mostly_one(groups: list[np.ndarray], truth: np.ndarray) -> list[bool]:
    """Per found theme, whether one true theme holds at least PURE of its substantive rows
    (where only that theme's description can be nearest; on a mixed theme "naming" credits
    the true theme with most rows only)."""
    out = []
    for rows in groups:
        real = [truth[r] for r in rows if truth[r] != NOISE]
        out.append(bool(real) and Counter(real).most_common(1)[0][1] >= PURE * len(real))
    return out


def pair_f1(truth_groups: list[set[int]], found_groups: list[set[int]]) -> tuple[int, int, int]:
    def pairs(groups):
        return {(a, b) for g in groups for a in g for b in g if a < b}

    true_pairs, found_pairs = pairs(truth_groups), pairs(found_groups)
    return len(true_pairs & found_pairs), len(found_pairs), len(true_pairs)


def evaluate(name: str, measures: dict[str, Measure], rows: list[dict], embed,
             judge=None) -> None:
    """`judge` embeds titles and theme descriptions to score naming; the reference model
    whatever path `embed` takes, so that paths are scored alike (default: `embed`)."""
    judge = judge or embed
    vectors = embed([r["text"] for r in rows])
    methods: list[tuple[str, Method, Callable | None]] = [
        ("today", today, today_texts),
        ("new", new, new_texts),
        ("k-means told k", kmeans_told_k, None),
    ]
    print(
        f"\n## {name}: {len(rows)} comments, {len(measures)} measures, "
        f"{sum(len(m.themes) for m in measures.values())} themes"
    )
    header = (
        "method",
        "ARI",
        "V",
        "themes/true",
        "noise out",
        "real out",
        "title",
        "summary",
        "first rep",
        "campaign 1",
    )
    print(f"{header[0]:<16}" + "".join(f"{h:>12}" for h in header[1:]))
    print("(campaign 1: share of campaign letters in their campaign's commonest theme)")
    f1 = [0, 0, 0]
    split: list[str] = []
    for label, method, texts_of in methods:
        scores, counts = [], Counter()
        for key, measure in sorted(measures.items()):
            idx = [i for i, r in enumerate(rows) if r["measure"] == key]
            texts = [rows[i]["text"] for i in idx]
            truth = np.array([rows[i]["theme"] for i in idx])
            real = truth != NOISE
            found = method(vectors[idx], texts, measure)
            if method is kmeans_told_k:  # fitted on the substantive rows only
                found = np.full(len(idx), -1)
                found[real] = kmeans_told_k(vectors[idx][real], [], measure)
            k = len(set(found[found >= 0].tolist()))
            scores.append(
                (
                    adjusted_rand_score(truth[real], found[real]),
                    v_measure_score(truth[real], found[real]),
                    k / len(measure.themes),
                )
            )
            counts["noise"] += int((~real).sum())
            counts["noise out"] += int((found[~real] == -1).sum())
            counts["real"] += int(real.sum())
            counts["real out"] += int((found[real] == -1).sum())
            campaigns: dict[str, list[int]] = {}
            for j, i in enumerate(idx):
                if rows[i]["campaign"]:
                    campaigns.setdefault(rows[i]["campaign"], []).append(j)
            for members in campaigns.values():
                counts["campaign"] += len(members)
                counts["campaign together"] += Counter(found[members].tolist()).most_common(1)[0][1]
            if label == "today":
                truth_sets = [set(m) for m in campaigns.values()]
                found_sets = [set(g.members) for g in find_duplicate_groups(texts)]
                f1 = [a + b for a, b in zip(f1, pair_f1(truth_sets, found_sets), strict=True)]
            if texts_of is not None:
                groups = groups_of(found, vectors[idx], texts)
                docs = [[texts[r] for r in g] for g in groups]
                titles, summaries = texts_of(docs, embed, measure)
                for kind, strings in (
                    ("title", titles),
                    ("summary", summaries),
                    ("first", [texts[g[0]] for g in groups]),
                ):
                    hits, weight = naming(strings, groups, truth, measure, judge)
                    counts[kind] += hits
                    counts[kind + " n"] += weight
                pure = mostly_one(groups, truth)
                for part, keep in (("pure", pure), ("mixed", [not p for p in pure])):
                    chosen = [i for i, ok in enumerate(keep) if ok]
                    hits, weight = naming(
                        [titles[i] for i in chosen],
                        [groups[i] for i in chosen],
                        truth,
                        measure,
                        judge,
                    )
                    counts[f"title {part}"] += hits
                    counts[f"title {part} n"] += weight
                    counts[f"{part} themes"] += sum(
                        1 for i in chosen if (truth[groups[i]] != NOISE).any()
                    )
        ari, v, ratio = np.mean(scores, axis=0)
        cells = [
            f"{ari:.3f}",
            f"{v:.3f}",
            f"{ratio:.2f}",
            f"{counts['noise out'] / max(counts['noise'], 1):.2f}",
            f"{counts['real out'] / max(counts['real'], 1):.3f}",
        ]
        for kind in ("title", "summary", "first"):
            n = counts[kind + " n"]
            cells.append(f"{counts[kind] / n:.2f}" if n else "-")
        cells.append(f"{counts['campaign together'] / max(counts['campaign'], 1):.2f}")
        ratios = [s[2] for s in scores]
        print(
            f"{label:<16}"
            + "".join(f"{c:>12}" for c in cells)
            + f"   (themes/true per measure {min(ratios):.2f}-{max(ratios):.2f})"
        )
        if texts_of is not None:
            split.append(
                f"{label} "
                + " / ".join(
                    f"{counts[f'title {part}'] / max(counts[f'title {part} n'], 1):.2f} "
                    f"({counts[f'{part} themes']} themes)"
                    for part in ("pure", "mixed")
                )
            )
    print(
        f"title on found themes {PURE:.0%}+ one true theme / on the others (mixed): "
        + "; ".join(split)
    )
    hit, found_n, true_n = f1
    precision, recall = hit / max(found_n, 1), hit / max(true_n, 1)
    print(
        f"campaign pair F1 (find_duplicate_groups): "
        f"{2 * precision * recall / max(precision + recall, 1e-9):.3f} "
        f"(precision {precision:.3f}, recall {recall:.3f}, {true_n} true pairs)"
    )


def over_seeds(name: str, measures: dict[str, Measure], rows: list[dict], embed, judge,
               seeds: int = SPREAD_SEEDS) -> None:
    """Today's method under clustering seeds 0..seeds-1: ARI and title rate per seed, their
    mean and range. A title rate is read off one partition, and a slightly different partition
    (another seed, other vectors) moves it by several points: judge a change by the mean."""
    vectors = embed([r["text"] for r in rows])
    aris, rates = [], []
    for seed in range(seeds):
        scores, hits, weight = [], 0.0, 0.0
        for key, measure in sorted(measures.items()):
            idx = [i for i, r in enumerate(rows) if r["measure"] == key]
            texts = [rows[i]["text"] for i in idx]
            truth = np.array([rows[i]["theme"] for i in idx])
            real = truth != NOISE
            found = np.asarray(find_themes(vectors[idx], texts, min_theme_size=2,
                                           seed=seed, process=PROCESS).labels)
            scores.append(adjusted_rand_score(truth[real], found[real]))
            groups = groups_of(found, vectors[idx], texts)
            titles, _ = new_texts([[texts[r] for r in g] for g in groups], embed, measure)
            got, n = naming(titles, groups, truth, measure, judge)
            hits, weight = hits + got, weight + n
        aris.append(float(np.mean(scores)))
        rates.append(hits / max(weight, 1))
    print(f"{name}, today's method over clustering seeds 0-{seeds - 1}: ARI "
          f"{' / '.join(f'{a:.3f}' for a in aris)} (mean {np.mean(aris):.3f}); titles "
          f"{' / '.join(f'{r:.2f}' for r in rates)} (mean {np.mean(rates):.2f})")


def seeding(name: str, measures: dict[str, Measure], rows: list[dict], embed) -> None:
    """m simulated chair actions per true theme. "pins": the chair pins m comments of each
    theme, picked at random. "corrections": the chair moves m comments of each theme into
    their right theme, first the ones the unseeded run put in a theme led by another (the
    hard, ambiguous comments). Either way the chair acts on the themes the unseeded run
    showed, whose centres are passed as anchors."""
    vectors = embed([r["text"] for r in rows])
    print(f"\n## Seeding on {name}: ARI / V on the rows not seeded, beside the unseeded run")
    totals: dict[tuple[str, int], list[tuple[float, ...]]] = {}
    for key in sorted(measures):
        idx = [i for i, r in enumerate(rows) if r["measure"] == key]
        texts = [rows[i]["text"] for i in idx]
        truth = np.array([rows[i]["theme"] for i in idx])
        real = truth != NOISE
        base = np.asarray(find_themes(vectors[idx], texts, process=PROCESS).labels)
        leader = {
            t: Counter(truth[(base == t) & real]).most_common(1)[0][0]
            for t in set(base[real].tolist())
            if t >= 0
        }
        for action in ("pins", "corrections"):
            rng = np.random.default_rng(0)
            order = {}
            for k in sorted(set(truth[real])):
                rows_k = np.flatnonzero(truth == k)
                wrong = [r for r in rows_k if leader.get(base[r]) != k]
                right = [r for r in rows_k if leader.get(base[r]) == k]
                pins = list(rng.permutation(rows_k))
                order[k] = pins if action == "pins" else [*rng.permutation(wrong), *right]
            # The chair's theme for true theme k is the biggest theme the unseeded run led
            # with k (none if k led none); its centre is the anchor the pipeline would pass.
            anchors = {}
            for i, k in enumerate(sorted(order)):
                led = [t for t, lead in leader.items() if lead == k]
                if led:
                    biggest = max(led, key=lambda t: (int((base == t).sum()), -t))
                    anchors[i] = vectors[idx][base == biggest].mean(axis=0)
            for m in (1, 3, 5):
                seeds = {int(r): i for i, k in enumerate(sorted(order)) for r in order[k][:m]}
                found = seeded_themes(vectors[idx], texts, seeds, anchors=anchors,
                                      process=PROCESS)
                labels = np.asarray(found.clustering.labels)
                rest = real & ~np.isin(np.arange(len(idx)), list(seeds))
                totals.setdefault((action, m), []).append(
                    (
                        adjusted_rand_score(truth[rest], labels[rest]),
                        v_measure_score(truth[rest], labels[rest]),
                        adjusted_rand_score(truth[rest], base[rest]),
                        v_measure_score(truth[rest], base[rest]),
                    )
                )
    for (action, m), values in totals.items():
        ari, v, ari0, v0 = np.mean(values, axis=0)
        print(
            f"{action:<12} m={m}: ARI {ari:.3f} V {v:.3f}   (unseeded {ari0:.3f} / {v0:.3f}; "
            f"gain {ari - ari0:+.3f} / {v - v0:+.3f})"
        )


def large_scope(measures: dict[str, Measure], rows: list[dict], embed) -> None:
    chosen = sorted(measures)[:4]
    scope = recombined_scope(rows, chosen, 10_000)
    texts = [r["text"] for r in scope]
    vectors = embed(texts)
    truth = np.array([r["theme"] for r in scope])
    real = truth != NOISE
    kinds = np.array([r["measure"] for r in scope])
    true_k = len(set(truth[real]))
    print(
        f"\n## 10,000 comments recombined from {len(chosen)} measures ({true_k} themes, "
        f"{len(set(texts))} distinct texts)"
    )
    for label, method in (("today", cluster), ("new", find_themes)):
        tracemalloc.start()
        started = time.perf_counter()
        labels = np.asarray(method(vectors, texts).labels)
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        per_measure = Counter(
            Counter(kinds[labels == t]).most_common(1)[0][0] for t in set(labels[labels >= 0])
        )
        ari = adjusted_rand_score(truth[real], labels[real])
        v = v_measure_score(truth[real], labels[real])
        print(
            f"{label:<6} {len(per_measure)} measures led by a theme, "
            f"{sum(per_measure.values())} themes (true {true_k}), per measure "
            f"{sorted(per_measure.values())}; ARI {ari:.3f} V {v:.3f}; noise out "
            f"{(labels[~real] == -1).mean():.2f}; {took:.1f} s, peak {peak:.0f} MiB traced"
        )
        if label == "new":
            groups = groups_of(labels, vectors, texts)
            started = time.perf_counter()
            found = describe_themes([[texts[r] for r in g] for g in groups], embed)
            took = time.perf_counter() - started
            print(
                f"       titles and summaries of {len(groups)} themes: {took:.1f} s "
                "(phrase vectors cached after a first run)"
            )
            for item, rows_of in list(zip(found, groups, strict=True))[:8]:
                print(f"       {len(rows_of):>5}  {item.title}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-comment scope")
    parser.add_argument("--backend", default="torch",
                        help="embedding path, as PLENARY_EMBEDDING_BACKEND names them "
                             "(default: torch, the reference)")
    parser.add_argument("--only", action="append", metavar="SET",
                        help='only the sets whose name starts so ("held-out C"); repeatable')
    args = parser.parse_args()
    embed = CachedEmbedder(backend=args.backend)
    global PROCESS
    PROCESS = np.asarray(embed(list(PROCESS_REMARKS)))
    judge = embed if args.backend == "torch" else CachedEmbedder()
    print(f"embedding path: {args.backend} (titles judged with PyTorch's vectors)")
    sets = {
        "consultation (new, hand-written)": load_consultation(),
        "labelled_comments (older)": load_old_set(),
        "held-out A (written blind)": load_consultation(HELD_OUT),
        "held-out B (written blind)": load_consultation(HELD_OUT_2),
        "held-out C (written blind)": load_consultation(HELD_OUT_3),
        "held-out D (written blind)": load_consultation(HELD_OUT_4),
        "held-out E (written blind)": load_consultation(HELD_OUT_5),
    }
    if args.only:
        sets = {name: found for name, found in sets.items()
                if any(name.startswith(wanted) for wanted in args.only)}
    for name, (measures, rows) in sets.items():
        evaluate(name, measures, rows, embed, judge)
    print()
    for name, (measures, rows) in sets.items():
        over_seeds(name.split(" (")[0], measures, rows, embed, judge)
    for name, (measures, rows) in sets.items():
        seeding(name, measures, rows, embed)
    if not args.quick and "consultation (new, hand-written)" in sets:
        large_scope(*sets["consultation (new, hand-written)"], embed)
    embed.save()
    if judge is not embed:
        judge.save()


if __name__ == "__main__":
    main()

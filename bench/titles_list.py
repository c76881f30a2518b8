"""Every title of both labelled sets, one line per found theme, to diff before and after a change.

    .venv/bin/python -m bench.titles_list > before.txt

Themes are found as bench_synthesis_quality finds them (find_themes, nearest the centre first);
each line: set, measure, theme size, the true theme most of its rows belong to, whether the
title is nearer that theme's description than any other of the measure's (hit / miss), title.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from app.synthesis.titles import theme_titles
from bench.bench_synthesis_quality import groups_of, naming, new
from bench.consultation_data import NOISE, load_consultation, load_old_set
from bench.vector_cache import CachedEmbedder


def main() -> None:
    embed = CachedEmbedder()
    for name, (measures, rows) in (("consultation", load_consultation()), ("old", load_old_set())):
        vectors = embed([r["text"] for r in rows])
        for key, measure in sorted(measures.items()):
            idx = [i for i, r in enumerate(rows) if r["measure"] == key]
            texts = [rows[i]["text"] for i in idx]
            truth = np.array([rows[i]["theme"] for i in idx])
            groups = groups_of(new(vectors[idx], texts, measure), vectors[idx], texts)
            docs = [[texts[r] for r in g] for g in groups]
            titles = theme_titles(docs, embed, provision_texts=[measure.provision])
            for title, group in zip(titles, groups, strict=True):
                real = [truth[r] for r in group if truth[r] != NOISE]
                own = Counter(real).most_common(1)[0][0] if real else NOISE
                hit, weight = naming([title], [group], truth, measure, embed)
                mark = "-" if not weight else ("hit" if hit else "miss")
                print(f"{name:<13}{key:<22}{len(group):>5}  {own:<32} {mark:<5} {title}")
    embed.save()


if __name__ == "__main__":
    main()

"""What a long-running process does once it has started."""

from __future__ import annotations


def freeze_startup_heap() -> None:
    """Collect, then hide from the garbage collector every object alive now (gc.freeze).

    Called once a web worker has built the app (`wsgi.py`): the modules, templates and
    libraries it loaded are most of the objects it will ever track, and a full collection,
    which runs every few requests that build many objects (a comparison of a long round),
    would otherwise walk them all each time: about 170,000 objects that live as long as the
    process (`python -m bench.bench_cold_diff` shows the difference).
    """
    import gc

    gc.collect()
    gc.freeze()

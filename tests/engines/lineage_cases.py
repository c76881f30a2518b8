"""A labelled set of small round pairs with the lineage a careful reader would record.

Each case starts from the same first round (BASE) and edits it the way drafters do. Nodes
are written as specs: (ref, kind, number, title, text, parent ref, explicit key). Old nodes
use their ref as key. `expected` maps every old ref to (new refs, kind); `added` lists the
new refs without predecessor. Used by tests/engines/test_alignment.py and bench_lineage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.drafting.alignment import Node

Spec = tuple[str, str, str | None, str, str, str | None, str | None]

T = {
    "ch": "This chapter sets out how providers describe their models to those who rely on them.",
    "c1": "Providers keep documentation that lets downstream users understand the model.",
    "m11": (
        "Providers shall draw up technical documentation for each model before release. "
        "The documentation describes the architecture, the training process and the data "
        "sources in enough detail for an informed reader. It is kept for ten years after "
        "the model is withdrawn from the market."
    ),
    "m12": (
        "Providers shall update the documentation whenever a new version of the model is "
        "placed on the market. Changes to the intended uses or known limitations are "
        "recorded within thirty days. Superseded versions remain available on request."
    ),
    "m13": (
        "Providers shall share a summary of the documentation with downstream integrators. "
        "The summary explains the capabilities, the evaluation results and the acceptable "
        "use policy in plain language."
    ),
    "k111": "Share of released models with complete technical documentation at launch.",
    "c2": "Providers respect the rights of authors whose works appear in training corpora.",
    "m21": (
        "Providers shall adopt a written policy on the use of protected works for training. "
        "The policy names the person accountable for its application. Web crawlers used "
        "by the provider honour machine-readable reservations such as robots exclusion "
        "files. Crawled content from sites that have reserved their rights is discarded "
        "before training begins."
    ),
    "m22": (
        "Providers shall keep a register of the datasets licensed from third parties, "
        "with the terms under which each was obtained and the date of acquisition."
    ),
    "m23": (
        "Providers shall designate a contact point where rightholders can lodge complaints "
        "about the use of their works. Complaints are acknowledged within five working days "
        "and answered in writing."
    ),
    "m24": (
        "Providers shall take reasonable steps to stop their models from reproducing "
        "protected passages verbatim in outputs. Filtering methods are tested before each "
        "release and the results are kept on file."
    ),
}

BASE: tuple[Spec, ...] = (
    ("transparency", "chapter", None, "Transparency", T["ch"], None, None),
    ("c-1", "commitment", "1", "Documentation", T["c1"], "transparency", None),
    ("m-1-1", "measure", "1.1", "Drawing up documentation", T["m11"], "c-1", None),
    ("k-1-1-1", "kpi", "1.1.1", "Completeness at launch", T["k111"], "m-1-1", None),
    ("m-1-2", "measure", "1.2", "Keeping documentation up to date", T["m12"], "c-1", None),
    ("m-1-3", "measure", "1.3", "Summaries for integrators", T["m13"], "c-1", None),
    ("c-2", "commitment", "2", "Copyright", T["c2"], "transparency", None),
    ("m-2-1", "measure", "2.1", "Copyright policy", T["m21"], "c-2", None),
    ("m-2-2", "measure", "2.2", "Register of licensed data", T["m22"], "c-2", None),
    ("m-2-3", "measure", "2.3", "Complaints from rightholders", T["m23"], "c-2", None),
    ("m-2-4", "measure", "2.4", "Preventing verbatim reproduction", T["m24"], "c-2", None),
)

# Refs of BASE that every case carries over untouched unless it says otherwise.
SAME = {ref: ((ref,), "unchanged") for ref, *_ in BASE}


@dataclass(frozen=True)
class Case:
    """A pair of rounds with the links and additions a reader expects."""

    name: str
    new: tuple[Spec, ...]
    expected: dict[str, tuple[tuple[str, ...], str]]
    added: frozenset[str] = frozenset()
    pinned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # new ref -> expected final key
    old: tuple[Spec, ...] = BASE


def nodes(specs: tuple[Spec, ...], *, keyed: bool) -> tuple[list[Node], dict[str, int]]:
    """Build a Node list from specs; old rounds (`keyed`) use each ref as the key."""
    index = {spec[0]: position for position, spec in enumerate(specs)}
    built = [
        Node(
            index=position,
            key=ref if keyed else key,
            kind=kind,
            label=None if number is None else f"{kind.capitalize()} {number}",
            number=number,
            title=title,
            text=text,
            parent=None if parent is None else index[parent],
        )
        for position, (ref, kind, number, title, text, parent, key) in enumerate(specs)
    ]
    return built, index


def _edit(specs: tuple[Spec, ...], ref: str, **changes: str | None) -> tuple[Spec, ...]:
    fields = ("ref", "kind", "number", "title", "text", "parent", "key")
    result = []
    for spec in specs:
        if spec[0] == ref:
            values = dict(zip(fields, spec, strict=True)) | changes
            spec = tuple(values[name] for name in fields)  # type: ignore[assignment]
        result.append(spec)
    return tuple(result)


def _without(specs: tuple[Spec, ...], *refs: str) -> tuple[Spec, ...]:
    return tuple(spec for spec in specs if spec[0] not in refs)


def _insert_after(specs: tuple[Spec, ...], ref: str, *extra: Spec) -> tuple[Spec, ...]:
    position = [spec[0] for spec in specs].index(ref) + 1
    return specs[:position] + extra + specs[position:]


def _renumber(specs: tuple[Spec, ...], numbers: dict[str, str]) -> tuple[Spec, ...]:
    for ref, number in numbers.items():
        specs = _edit(specs, ref, number=number)
    return specs


NEW_MEASURE = (
    "Providers shall publish an annual report on the energy consumed to train and run "
    "their largest models, following a common measurement method."
)

REWORDED_PART = (
    "Before any training run, the provider deletes whatever its crawlers collected from "
    "sites whose owners have reserved their rights, and records what was deleted."
)
CONDENSED = (
    " Rightholders may complain about the use of their works to a contact point, which "
    "acknowledges each complaint within five working days."
)
BESIDE_MODIFIED = (
    "Providers shall tell rightholders, on request, whether their works were used for "
    "training, and answer such requests within one month."
)

CASES: tuple[Case, ...] = (
    Case(
        "unchanged_but_renumbered",
        _renumber(
            _insert_after(
                BASE, "c-1", ("new", "measure", "1.1", "Energy reporting", NEW_MEASURE, "c-1", None)
            ),
            {"m-1-1": "1.2", "m-1-2": "1.3", "m-1-3": "1.4", "k-1-1-1": "1.2.1"},
        ),
        SAME,
        added=frozenset({"new"}),
        keys={"new": "m-1-1-2"},
    ),
    Case(
        "modified",
        _edit(
            BASE,
            "m-1-2",
            text=T["m12"].replace("thirty days", "fifteen days").replace("on request", "online"),
        ),
        SAME | {"m-1-2": (("m-1-2",), "modified")},
    ),
    Case(
        "retitled",
        _edit(BASE, "m-1-3", title="Information for downstream providers"),
        SAME | {"m-1-3": (("m-1-3",), "modified")},
    ),
    Case(
        "moved",
        _insert_after(
            _without(BASE, "m-1-3"),
            "m-2-4",
            ("m-1-3", "measure", "2.5", "Summaries for integrators", T["m13"], "c-2", None),
        ),
        SAME | {"m-1-3": (("m-1-3",), "moved")},
    ),
    Case(
        "split",
        _insert_after(
            _renumber(
                _edit(
                    BASE,
                    "m-2-1",
                    text="Providers shall adopt a written policy on the use of protected works "
                    "for training. The policy names the person accountable for its application. "
                    "Web crawlers used by the provider honour machine-readable reservations such "
                    "as robots exclusion files.",
                ),
                {"m-2-2": "2.3", "m-2-3": "2.4", "m-2-4": "2.5"},
            ),
            "m-2-1",
            (
                "part",
                "measure",
                "2.2",
                "Discarding reserved content",
                "Crawled content from sites that have reserved their rights is discarded "
                "before training begins.",
                "c-2",
                None,
            ),
        ),
        SAME | {"m-2-1": (("m-2-1", "part"), "split")},
        keys={"m-2-1": "m-2-1", "part": "m-2-2-2"},
    ),
    Case(
        "merged",
        _edit(
            _without(BASE, "m-1-2"),
            "m-1-1",
            title="Drawing up and updating documentation",
            text=T["m11"] + " " + T["m12"],
        ),
        SAME | {"m-1-1": (("m-1-1",), "merged"), "m-1-2": (("m-1-1",), "merged")},
        keys={"m-1-1": "m-1-1"},
    ),
    Case(
        "reworded_split",
        _insert_after(
            _renumber(
                _edit(BASE, "m-2-1", text=" ".join(T["m21"].split(". ")[:3]) + "."),
                {"m-2-2": "2.3", "m-2-3": "2.4", "m-2-4": "2.5"},
            ),
            "m-2-1",
            ("part", "measure", "2.2", "Deleting reserved content", REWORDED_PART, "c-2", None),
        ),
        SAME | {"m-2-1": (("m-2-1", "part"), "split")},
        keys={"m-2-1": "m-2-1", "part": "m-2-2-2"},
    ),
    Case(
        "reworded_part_away_from_the_whole",
        _insert_after(
            _edit(BASE, "m-2-1", text=" ".join(T["m21"].split(". ")[:3]) + "."),
            "m-1-3",
            ("part", "measure", "1.4", "Deleting reserved content", REWORDED_PART, "c-1", None),
        ),
        SAME | {"m-2-1": (("m-2-1",), "modified")},
        added=frozenset({"part"}),
    ),
    Case(
        "condensed_merge",
        _renumber(
            _edit(_without(BASE, "m-2-3"), "m-2-2", text=T["m22"] + CONDENSED),
            {"m-2-4": "2.3"},
        ),
        SAME | {"m-2-2": (("m-2-2",), "merged"), "m-2-3": (("m-2-2",), "merged")},
        keys={"m-2-2": "m-2-2"},
    ),
    Case(
        "added_beside_modified",
        _insert_after(
            _edit(
                BASE,
                "m-2-3",
                text=T["m23"].split(". ")[0] + ". The contact point is listed on the "
                "provider's website.",
            ),
            "m-2-3",
            ("new", "measure", "2.5", "Telling rightholders", BESIDE_MODIFIED, "c-2", None),
        ),
        SAME | {"m-2-3": (("m-2-3",), "modified")},
        added=frozenset({"new"}),
    ),
    Case(
        "removed",
        _without(BASE, "m-2-2"),
        SAME | {"m-2-2": ((), "removed")},
    ),
    Case(
        "added",
        _insert_after(
            BASE, "m-2-4", ("new", "measure", "2.5", "Energy reporting", NEW_MEASURE, "c-2", None)
        ),
        SAME,
        added=frozenset({"new"}),
        keys={"new": "m-2-5"},
    ),
    Case(
        "reused_label",
        _renumber(_without(BASE, "m-2-3"), {"m-2-4": "2.3"}),
        SAME | {"m-2-3": ((), "removed")},
    ),
    Case(
        "heavy_rewrite",
        _edit(
            BASE,
            "m-2-2",
            text="A copyright policy register lists each licensed dataset, the licence "
            "conditions and when it was acquired; the register is reviewed yearly by an "
            "independent auditor.",
        ),
        SAME | {"m-2-2": (("m-2-2",), "modified")},
    ),
    Case(
        "explicit_key_wins_over_text",
        _edit(_edit(BASE, "m-1-2", key="m-1-3"), "m-1-3", key="m-1-2"),
        SAME | {"m-1-2": (("m-1-3",), "modified"), "m-1-3": (("m-1-2",), "modified")},
    ),
    Case(
        "explicit_new_key_added",
        _insert_after(
            BASE,
            "m-2-4",
            ("new", "measure", "2.5", "Energy reporting", NEW_MEASURE, "c-2", "energy"),
        ),
        SAME,
        added=frozenset({"new"}),
        keys={"new": "energy"},
    ),
    # A correction onto a measure another one still reaches takes nothing from it: old
    # m-2-4 keeps its link, and the corrected target has two sources (a merge).
    Case(
        "pinned_corrections",
        _renumber(_without(BASE, "m-2-3"), {"m-2-4": "2.3"}),
        SAME
        | {"m-2-2": ((), "removed"), "m-2-3": (("m-2-4",), "merged")}
        | {"m-2-4": (("m-2-4",), "merged")},
        added=frozenset({"m-2-2"}),
        pinned={"m-2-2": (), "m-2-3": ("m-2-4",)},
        keys={"m-2-4": "m-2-4", "m-2-2": "m-2-2-2"},
    ),
)

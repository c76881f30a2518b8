"""The lineage engine with meaning and structure as evidence (align(..., embed=...)).

Unit tests use the FAKE `concept_embed` (tests/engines/fake_meaning.py): texts rewritten with
words of the same synonym groups get the same vector, as a real model would give nearly the
same. Only `test_real_model_on_the_restructuring_benchmark` loads all-MiniLM-L6-v2.
"""

from __future__ import annotations

import pytest

from app.drafting.alignment import align
from app.drafting.similarity import words
from tests.engines import restructure_set
from tests.engines.fake_meaning import RecordingEmbed, concept_embed
from tests.engines.lineage_cases import BASE, CASES, Spec, _edit, _insert_after, nodes

REWRITTEN_REGISTER = (
    "Companies must maintain a list of corpora purchased from outside vendors, with the "
    "conditions of every purchase and when it happened."
)
SAME_IN_OTHER_WORDS = (
    "Suppliers' corpora bought from outside companies are kept on a list, with purchase "
    "conditions and when it happened."
)
SENTENCES = (
    "Providers shall report every incident to the authority within fifteen days.",
    "Providers shall keep a register of incidents with the date of each event.",
    "Providers shall test their encrypted weights yearly.",
)
REWORDED = (
    ("Notifying the regulator", "Companies must notify the regulator of each mishap within "
     "fifteen days."),
    ("Event log", "Companies must hold a log of events with the date of every mishap."),
    ("Checking scrambled parameters", "Companies must probe their scrambled parameters "
     "annually."),
)  # fmt: skip
INCIDENTS = ("c-3", "commitment", "3", "Incident duties", "Providers handle incidents.",
             "transparency", None)  # fmt: skip
STABLE = ("m-3-9", "measure", "3.9", "Energy reporting",
          "Providers shall publish an annual report on energy.", "c-3", None)  # fmt: skip


def run(old_specs, new_specs, embed=concept_embed):
    old, _ = nodes(old_specs, keyed=True)
    new, _ = nodes(new_specs, keyed=False)
    result = align(old, new, embed=embed)
    refs = [spec[0] for spec in new_specs]
    links = {old[link.old].key: link for link in result.links}
    got = {key: (tuple(refs[j] for j in link.new), link.kind) for key, link in links.items()}
    return result, links, got, {refs[j] for j in result.added}


def test_heavy_rewrite_is_paired_through_meaning():
    new = _edit(BASE, "m-2-2", title="List of bought corpora", text=REWRITTEN_REGISTER)
    _, _, text_only, text_added = run(BASE, new, embed=None)
    assert text_only["m-2-2"] == ((), "removed") and text_added == {"m-2-2"}
    result, _, got, added = run(BASE, new)
    assert got["m-2-2"] == (("m-2-2",), "modified")
    assert added == set()
    assert result.keys[[s[0] for s in new].index("m-2-2")] == "m-2-2"


def test_structure_pulls_a_measure_to_where_its_siblings_went():
    # The same meaning under the old commitment (c-2) and under another one (c-1).
    new = _insert_after(
        _edit(BASE, "m-2-2", title="List of bought corpora", text=REWRITTEN_REGISTER),
        "m-1-3",
        ("away", "measure", "1.4", "Record of purchased data", SAME_IN_OTHER_WORDS, "c-1", None),
    )
    _, links, got, added = run(BASE, new)
    assert got["m-2-2"] == (("m-2-2",), "modified")
    assert added == {"away"}
    refs = [spec[0] for spec in new]
    assert refs[links["m-2-2"].alternatives[0].new] == "away"


def _with_incidents(*measures: Spec) -> tuple[Spec, ...]:
    return (*BASE, INCIDENTS, *measures, STABLE)


def test_three_way_split_from_sentence_coverage():
    old = _with_incidents(
        ("m-3-1", "measure", "3.1", "Incident handling", " ".join(SENTENCES), "c-3", None)
    )
    parts = tuple(
        (f"part{n}", "measure", f"3.{n}", title, text, "c-3", None)
        for n, (title, text) in enumerate(REWORDED, start=1)
    )
    _, _, text_only, _ = run(old, _with_incidents(*parts), embed=None)
    assert text_only["m-3-1"] == ((), "removed")
    _, _, got, added = run(old, _with_incidents(*parts))
    assert got["m-3-1"] == (("part1", "part2", "part3"), "split")
    assert added == set()


def test_three_way_merge_from_sentence_coverage():
    titles = ("Reporting incidents", "Incident register", "Testing encrypted weights")
    old = _with_incidents(
        *(
            (f"m-3-{n}", "measure", f"3.{n}", title, text, "c-3", None)
            for n, (title, text) in enumerate(zip(titles, SENTENCES, strict=True), start=1)
        )
    )
    merged = ("whole", "measure", "3.1", "Incident duties",
              " ".join(text for _, text in REWORDED), "c-3", None)  # fmt: skip
    _, _, got, added = run(old, _with_incidents(merged))
    for n in (1, 2, 3):
        assert got[f"m-3-{n}"] == (("whole",), "merged")
    assert added == set()


def test_a_part_cut_out_of_one_long_sentence_is_found():
    # The old measure is one sentence; its last item becomes a measure of its own. Sentence
    # coverage cannot see it (the kept part carries the sentence best); word evidence does.
    duties = (
        "Providers shall report incidents to the authority within fifteen days, keep a "
        "register of incidents with the date of each and review that register yearly"
    )
    old = _with_incidents(
        ("m-3-1", "measure", "3.1", "Incident duties",
         f"{duties}, and test their encrypted weights every year.", "c-3", None)
    )  # fmt: skip
    parts = (
        ("kept", "measure", "3.1", "Incident duties", f"{duties}.", "c-3", None),
        ("cut", "measure", "3.2", "Testing weights",
         "Providers shall test their encrypted weights every year.", "c-3", None),
    )  # fmt: skip
    _, _, text_only, _ = run(old, _with_incidents(*parts), embed=None)
    assert text_only["m-3-1"] == (("kept",), "modified")
    _, _, got, added = run(old, _with_incidents(*parts))
    assert got["m-3-1"] == (("kept", "cut"), "split")
    assert added == set()


def _report(ref: str, number: str, subject: str, title: str) -> Spec:
    text = (
        f"Signatories shall publish an annual report on {subject}. The report covers the "
        "previous calendar year and is published on the website by 31 March."
    )
    return (ref, "measure", number, f"Annual report on {title}", text, "c-r", None)


REPORTS_HEAD: tuple[Spec, ...] = (
    ("ch", "chapter", None, "Reporting", "How Signatories account to the public.", None, None),
    ("c-r", "commitment", "1", "Annual reports", "Signatories report every year.", "ch", None),
)


def test_template_lookalikes_are_told_apart_by_the_words_that_differ():
    old = (
        *REPORTS_HEAD,
        _report("energy", "1.1", "the energy consumed to train their models", "energy"),
        _report("incidents", "1.2", "the serious incidents involving their models", "incidents"),
        _report("complaints", "1.3", "the copyright complaints from rightsholders", "complaints"),
    )
    new = (
        *REPORTS_HEAD,
        _report("incidents", "1.1", "the serious incidents involving their models", "incidents"),
        _report("misuse", "1.2", "the misuse of their models and the action taken", "misuse"),
        _report("complaints", "1.3", "the copyright complaints from rightsholders", "complaints"),
    )
    _, _, got, added = run(old, new)
    assert got["energy"] == ((), "removed")
    assert got["incidents"] == (("incidents",), "unchanged")
    assert got["complaints"] == (("complaints",), "unchanged")
    assert added == {"misuse"}


def test_a_doubtful_link_is_less_certain_than_an_unchanged_one():
    rewritten = _edit(BASE, "m-2-2", title="List of bought corpora", text=REWRITTEN_REGISTER)
    _, clear, got, _ = run(BASE, rewritten)
    rival = ("away", "measure", "1.4", "Record of purchased data", SAME_IN_OTHER_WORDS, "c-1",
             None)  # fmt: skip
    _, doubtful, _, _ = run(BASE, _insert_after(rewritten, "m-1-3", rival))
    unchanged = [link.confidence for key, link in clear.items() if got[key][1] == "unchanged"]
    assert min(unchanged) == 1.0
    assert doubtful["m-2-2"].confidence < clear["m-2-2"].confidence < 1.0
    assert doubtful["m-2-2"].confidence < 0.75


def test_alternatives_are_other_candidates_best_first():
    new = _edit(BASE, "m-2-2", title="List of bought corpora", text=REWRITTEN_REGISTER)
    result, _, _, _ = run(BASE, new)
    listed = [link for link in result.links if link.alternatives]
    assert listed
    for link in result.links:
        scores = [candidate.score for candidate in link.alternatives]
        assert len(scores) <= 3 and scores == sorted(scores, reverse=True)
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert not {candidate.new for candidate in link.alternatives} & set(link.new)


def test_only_texts_of_unpaired_provisions_are_embedded():
    new = _edit(BASE, "m-2-2", title="List of bought corpora", text=REWRITTEN_REGISTER)
    embed = RecordingEmbed()
    run(BASE, new, embed=embed)
    old_spec = next(spec for spec in BASE if spec[0] == "m-2-2")
    allowed = set(words(f"{old_spec[3]} {old_spec[4]} List of bought corpora {REWRITTEN_REGISTER}"))
    assert embed.texts
    for text in embed.texts:
        assert set(words(text)) <= allowed, text
    assert embed.calls <= 6


def test_same_rounds_same_lineage():
    old, new = restructure_set.rounds()
    first = align(old, new, embed=concept_embed)
    assert align(old, new, embed=concept_embed) == first
    recorded = RecordingEmbed()
    assert align(old, new, embed=recorded) == first
    assert recorded.texts == sorted(recorded.texts) or recorded.calls > 1


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_labelled_cases_hold_with_meaning_too(case):
    old, old_index = nodes(case.old, keyed=True)
    new, new_index = nodes(case.new, keyed=False)
    pinned = {old_index[k]: tuple(new_index[r] for r in v) for k, v in case.pinned.items()}
    result = align(old, new, pinned=pinned, embed=concept_embed)
    refs = [spec[0] for spec in case.new]
    got = {old[lk.old].key: (tuple(refs[j] for j in lk.new), lk.kind) for lk in result.links}
    assert got == case.expected
    assert {refs[j] for j in result.added} == case.added


def test_a_meaningless_embedder_does_no_harm_on_the_restructuring_benchmark():
    from app.embedding.engine import HashingEmbedder

    old, new = restructure_set.rounds()
    text_only = restructure_set.score(align(old, new), old, new)
    hashed = restructure_set.score(align(old, new, embed=HashingEmbedder().encode), old, new)
    assert hashed.targets >= text_only.targets
    assert hashed.false_added <= text_only.false_added


@pytest.mark.model
def test_real_model_on_the_restructuring_benchmarks():
    from app.embedding.engine import SentenceTransformerEmbedder

    embed = SentenceTransformerEmbedder().encode
    for variant in ("2", "2-heldout"):
        old, new = restructure_set.rounds(variant)
        result = align(old, new, embed=embed)
        measures = restructure_set.score(result, old, new, variant=variant)
        assert measures.total == 151
        assert measures.targets >= 149, measures.misses
        assert measures.kinds >= 146, measures.misses
        assert measures.false_added == 0

"""A generated 1,000-provision round and its successor, with the true lineage.

Chapters, commitments, measures and KPIs with varied sentences from a small grammar, and a
successor with known ground truth: renumbering, edits, retitles, splits, merges, moves,
removals and additions. Used by bench/bench_lineage.py (and bench_import.py through it) and
tests/engines/test_lineage_golden.py.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from app.drafting.alignment import Node
from app.drafting.parser import ParsedRound

Truth = dict[str, tuple[frozenset[str], str]]

SUBJECTS = ("Providers", "Each signatory", "The provider", "Signatories", "Model developers")
MODALS = ("shall", "should", "will", "commit to")
VERBS = (
    "document", "assess", "publish", "review", "monitor", "report on", "retain", "disclose",
    "evaluate", "test", "record", "describe", "verify", "update", "mitigate", "audit",
    "explain", "share", "archive", "justify", "track", "estimate", "investigate", "summarise",
)  # fmt: skip
OBJECTS = (
    "the training data sources", "the evaluation results", "serious incidents",
    "systemic risks", "the acceptable use policy", "energy consumption", "model capabilities",
    "known limitations", "red-teaming findings", "copyright complaints", "security measures",
    "the compute used for training", "integration guidance", "substantial modifications",
    "cyber threats to model weights", "data provenance", "licensing terms", "benchmark scores",
    "the risk acceptance criteria", "access controls", "the decommissioning plan",
    "whistleblower reports", "third-party assessments", "fine-tuning procedures",
    "the refusal behaviour", "opt-out requests", "the incident response plan",
    "content filtering rules", "staff training records", "the model card",
)  # fmt: skip
QUALIFIERS = (
    "before each release", "within thirty days", "at least once a year", "in plain language",
    "to the competent authority", "using a documented method", "for ten years",
    "on a public website", "after any substantial modification", "with independent experts",
    "in a machine-readable format", "according to the state of the art",
    "where technically feasible", "for every model above the threshold",
    "in proportion to the risk", "through a secure channel", "on request of an integrator",
    "across the whole model lifecycle", "before training starts", "every six months",
)  # fmt: skip
EXTRAS = (
    "", "", "", " and keep a record of the outcome", " unless a reasoned exception applies",
    " and inform affected users", " taking the views of civil society into account",
)  # fmt: skip
KPI_HEADS = ("Share of", "Number of", "Median delay for", "Proportion of", "Count of")
KPI_TAILS = ("completed", "reviewed", "published", "verified", "reported", "closed")
TITLE_WORDS = (
    "Documentation", "Risk", "Testing", "Copyright", "Security", "Reporting", "Incidents",
    "Evaluation", "Governance", "Disclosure", "Oversight", "Data", "Transparency", "Audits",
    "Energy", "Access", "Monitoring", "Complaints", "Training", "Release", "Updates",
)  # fmt: skip


@dataclass(eq=False)
class Item:
    """A generated provision; `ident` is the key its lineage should carry."""

    ident: str
    kind: str
    title: str
    sentences: list[str]
    children: list[Item] = field(default_factory=list)


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.seen, self.count = rng, set[str](), 0

    def ident(self) -> str:
        self.count += 1
        return f"g{self.count}"

    def sentence(self, kpi: bool = False) -> str:
        while True:
            r = self.rng
            if kpi:
                text = f"{r.choice(KPI_HEADS)} {r.choice(OBJECTS)} {r.choice(KPI_TAILS)} "
                text += f"{r.choice(QUALIFIERS)}."
            else:
                text = f"{r.choice(SUBJECTS)} {r.choice(MODALS)} {r.choice(VERBS)} "
                text += f"{r.choice(OBJECTS)} {r.choice(QUALIFIERS)}{r.choice(EXTRAS)}."
            if text not in self.seen:
                self.seen.add(text)
                return text

    def title(self) -> str:
        words = self.rng.sample(TITLE_WORDS, self.rng.randint(1, 3))
        return " and ".join(words) if len(words) == 2 else " ".join(words)

    def item(self, kind: str, sentences: int) -> Item:
        body = [self.sentence(kind == "kpi") for _ in range(sentences)]
        return Item(self.ident(), kind, self.title(), body)


def _first_round(writer: _Writer) -> list[Item]:
    rng, chapters = writer.rng, []
    for number in range(8):
        chapter = Item(
            f"chapter-{number + 1}", "chapter", f"Part {number + 1} {writer.title()}", []
        )
        for _ in range(6):
            commitment = writer.item("commitment", 1)
            for _ in range(5):
                measure = writer.item("measure", rng.randint(1, 6))
                measure.children = [writer.item("kpi", 1) for _ in range(rng.randint(1, 5))]
                commitment.children.append(measure)
            chapter.children.append(commitment)
        chapters.append(chapter)
    return chapters


def walk(items: list[Item], parent: Item | None = None):  # type: ignore[no-untyped-def]
    for item in items:
        yield item, parent
        yield from walk(item.children, item)


def generate_rounds(rng: random.Random) -> tuple[list[Item], list[Item], Truth]:
    """A first round, its successor and the true lineage of every first-round provision."""
    writer = _Writer(rng)
    old = _first_round(writer)
    new = copy.deepcopy(old)
    targets: dict[str, set[str]] = {item.ident: {item.ident} for item, _ in walk(old)}
    forced: dict[str, str] = {}
    commitments = [c for chapter in new for c in chapter.children]
    measures = [(m, c) for c in commitments for m in c.children]
    rng.shuffle(measures)
    touched: set[str] = set()
    for measure, commitment in [m for m in measures if len(m[0].sentences) >= 3][:6]:
        cut = -(-len(measure.sentences) * 3 // 5)
        part = Item(writer.ident(), "measure", writer.title(), measure.sentences[cut:])
        measure.sentences = measure.sentences[:cut]
        commitment.children.insert(commitment.children.index(measure) + 1, part)
        targets[measure.ident].add(part.ident)
        touched.update({measure.ident, part.ident})
    merges = 0
    for measure, commitment in measures:
        siblings = commitment.children
        if merges == 6 or measure not in siblings or siblings.index(measure) + 1 >= len(siblings):
            continue
        position = siblings.index(measure)
        other = siblings[position + 1]
        if {measure.ident, other.ident} & touched or 2 * len(other.sentences) > len(
            measure.sentences
        ):
            continue
        measure.sentences += other.sentences
        measure.children += other.children
        siblings.remove(other)
        targets[other.ident] = {measure.ident}
        forced[measure.ident] = forced[other.ident] = "merged"
        touched.update({measure.ident, other.ident})
        merges += 1
    movable = [m for m in measures if m[0].ident not in touched and m[0] in m[1].children]
    for measure, commitment in movable[:6]:
        commitment.children.remove(measure)
        rng.choice([c for c in commitments if c is not commitment]).children.append(measure)
        touched.add(measure.ident)
    for item, parent in list(walk(new)):
        if item.kind in ("chapter", "commitment") or parent is None:
            continue
        roll = rng.random()
        if roll < 0.01 and item.ident not in touched:
            parent.children.remove(item)
            for gone, _ in walk([item]):
                targets[gone.ident] = set()
        elif roll < 0.14:
            spot = rng.randrange(len(item.sentences))
            if len(item.sentences) == 1 and rng.random() < 0.8:  # reword one phrase
                old_phrase = next((q for q in QUALIFIERS if q in item.sentences[0]), "")
                new_phrase = rng.choice([q for q in QUALIFIERS if q != old_phrase])
                item.sentences[0] = item.sentences[0].replace(old_phrase, new_phrase)
            else:
                item.sentences[spot] = writer.sentence(item.kind == "kpi")
        elif roll < 0.17:
            item.title = writer.title()
        elif roll < 0.18:
            added = writer.item(item.kind, rng.randint(1, 4))
            parent.children.insert(parent.children.index(item), added)
    truth: Truth = {}
    new_parent = {item.ident: parent.ident if parent else None for item, parent in walk(new)}
    new_items = {item.ident: item for item, _ in walk(new)}
    for item, parent in walk(old):
        found = frozenset(targets[item.ident])
        if not found:
            truth[item.ident] = (found, "removed")
        elif len(found) > 1:
            truth[item.ident] = (found, "split")
        elif item.ident in forced:
            truth[item.ident] = (found, forced[item.ident])
        else:
            now = new_items[next(iter(found))]
            if new_parent[now.ident] != (parent.ident if parent else None):
                kind = "moved"
            elif (now.title, now.sentences) == (item.title, item.sentences):
                kind = "unchanged"
            else:
                kind = "modified"
            truth[item.ident] = (found, kind)
    return old, new, truth


def render(items: list[Item], round_number: int, keyed: bool) -> str:
    """The Markdown draft file of a generated round, numbered by position."""
    out = [
        "---",
        "code: bench-code",
        "title: Generated Code",
        f"round: {round_number}",
        "levels: [chapter, commitment, measure, kpi]",
        "---",
        "",
    ]
    words = {"commitment": "Commitment", "measure": "Measure", "kpi": "KPI"}
    commitment_number = 0
    for chapter in items:
        out += [f"# {chapter.title}" + (f" {{#{chapter.ident}}}" if keyed else ""), ""]
        for commitment in chapter.children:
            commitment_number += 1
            numbers = [(commitment, "##", str(commitment_number))]
            for m, measure in enumerate(commitment.children, start=1):
                numbers.append((measure, "###", f"{commitment_number}.{m}"))
                for k, kpi in enumerate(measure.children, start=1):
                    numbers.append((kpi, "####", f"{commitment_number}.{m}.{k}"))
            for item, hashes, number in numbers:
                key = f" {{#{item.ident}}}" if keyed else ""
                out += [f"{hashes} {words[item.kind]} {number}: {item.title}{key}", ""]
                out += [" ".join(item.sentences), ""]
    return "\n".join(out)


def to_nodes(parsed: ParsedRound) -> list[Node]:
    return [
        Node(p.index, p.key, p.kind, p.label, p.number, p.title, p.body, p.parent)
        for p in parsed.provisions
    ]

"""Aligning a round with the one before it and storing the links between them.

The one place where the lineage engine is called: with the secretariat's corrections pinned,
every key the code ever used reserved, and meaning as evidence (the embedding model, through
the vector cache, for the provisions text does not pair confidently). Each stored link keeps
the engine's confidence and the alternatives it weighed, for the review queue.
Flushes, never commits.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import delete, insert, select

from app.core import hooks
from app.core.db import db
from app.drafting.alignment import Alignment, Node, align
from app.drafting.models import (
    Code,
    LineageCorrection,
    LineageLink,
    LineageTarget,
    Provision,
    Round,
)

log = logging.getLogger(__name__)


def meaning() -> Callable[[Sequence[str]], np.ndarray] | None:
    """Vectors for the alignment, from the cache or the configured model (loaded only when the
    engine first asks); None when lineage by meaning is switched off (PLENARY_LINEAGE_MEANING
    = False). A model that cannot be loaded leaves the alignment to text alone, with a warning.
    """
    if not current_app.config.get("PLENARY_LINEAGE_MEANING", True):
        return None
    from app.embedding.services import embed_texts, get_embedder

    def embed(texts: Sequence[str]) -> np.ndarray:
        return embed_texts(texts, get_embedder())

    return embed


def _align_safely(old: list[Node], new: Sequence[Node], **options: Any) -> Alignment:
    embed = meaning()
    if embed is not None:
        try:
            return align(old, new, embed=embed, **options)
        except (OSError, ImportError, ValueError) as error:  # no model files, bad model path
            log.warning("lineage without meaning: the embedding model failed: %s", error)
    return align(old, new, **options)


def delete_links(condition: Any) -> None:
    """Delete the links matching `condition` with their targets, and forget them in the session."""
    ids = set(db.session.scalars(select(LineageLink.id).where(condition)))
    if not ids:
        return
    db.session.execute(delete(LineageTarget).where(LineageTarget.link_id.in_(ids)))
    db.session.execute(delete(LineageLink).where(LineageLink.id.in_(ids)))
    for obj in list(db.session.identity_map.values()):
        if (isinstance(obj, LineageLink) and obj.id in ids) or (
            isinstance(obj, LineageTarget) and obj.link_id in ids
        ):
            db.session.expunge(obj)


def stored_provisions(round_: Round) -> list[Provision]:
    return list(
        db.session.scalars(
            select(Provision).where(Provision.round_id == round_.id).order_by(Provision.position)
        )
    )


def stored_nodes(provisions: Sequence[Provision]) -> list[Node]:
    """Stored provisions (in position order) as alignment nodes, keys as explicit keys."""
    index = {p.id: i for i, p in enumerate(provisions)}
    return [
        Node(
            i,
            p.key,
            p.kind,
            p.label,
            p.number,
            p.title,
            p.text,
            index[p.parent_id] if p.parent_id is not None else None,
        )  # fmt: skip
        for i, p in enumerate(provisions)
    ]


def code_keys(code: Code) -> set[str]:
    return set(
        db.session.scalars(
            select(Provision.key).join(Round).where(Round.code_id == code.id).distinct()
        )
    )


def _locate(nodes: Sequence[Node], name: str) -> int | None:
    folded = name.casefold()
    for node in nodes:
        if (node.label or node.title).casefold() == folded:
            return node.index
    return None


def _pinned(
    code: Code, number: int, old: Sequence[Provision], nodes: Sequence[Node]
) -> dict[int, tuple[int, ...]]:
    """The secretariat's corrections for this round, as old index -> new indices."""
    old_index = {p.key: i for i, p in enumerate(old)}
    pinned: dict[int, tuple[int, ...]] = {}
    corrections = db.session.scalars(
        select(LineageCorrection).where(
            LineageCorrection.code_id == code.id, LineageCorrection.to_round == number
        )
    )
    for correction in corrections:
        located = [_locate(nodes, name) for name in correction.to_locators]
        if correction.from_key in old_index and None not in located:
            pinned[old_index[correction.from_key]] = tuple(j for j in located if j is not None)
    return pinned


def store_links(
    previous: Round,
    current: Round,
    old: Sequence[Provision],
    new: Sequence[Provision],
    alignment: Alignment,
) -> Counter[str]:
    """Replace the links leaving `previous` with those of `alignment`; counts by kind."""
    delete_links(LineageLink.from_round_id == previous.id)
    pinned_keys = _corrected_keys(previous.code_id, current.number)
    kinds = Counter(link.kind for link in alignment.links)
    kinds["added"] = len(alignment.added)
    if not alignment.links:
        return kinds
    rows = [
        {"from_round_id": previous.id, "to_round_id": current.id,
         "from_provision_id": old[link.old].id, "kind": link.kind,
         "similarity": link.similarity, "corrected": old[link.old].key in pinned_keys,
         "confidence": 1.0 if old[link.old].key in pinned_keys else round(link.confidence, 3),
         "alternatives": [{"key": new[c.new].key, "score": round(c.score, 3)}
                          for c in link.alternatives]}
        for link in alignment.links
    ]  # fmt: skip
    link_ids = db.session.scalars(
        insert(LineageLink).returning(LineageLink.id, sort_by_parameter_order=True), rows
    ).all()
    targets = [
        {"link_id": link_id, "to_provision_id": new[j].id}
        for link_id, link in zip(link_ids, alignment.links, strict=True)
        for j in link.new
    ]
    if targets:
        db.session.execute(insert(LineageTarget), targets)
    return kinds


def _corrected_keys(code_id: int, number: int) -> set[str]:
    return set(
        db.session.scalars(
            select(LineageCorrection.from_key).where(
                LineageCorrection.code_id == code_id, LineageCorrection.to_round == number
            )
        )
    )


def align_with(code: Code, number: int, old: Sequence[Provision], new: Sequence[Node]) -> Alignment:
    """Align the stored provisions `old` with the nodes of round `number`, the secretariat's
    corrections pinned, every key the code ever used reserved, meaning as evidence."""
    return _align_safely(
        stored_nodes(old),
        new,
        pinned=_pinned(code, number, old, new),
        reserved=code_keys(code),
    )


def realign(previous: Round, current: Round, *, actor: Any = None) -> Counter[str]:
    """Recompute and store the links from `previous` to `current` (both stored), keeping the
    later round's keys, and announce it; counts by kind."""
    old, new = stored_provisions(previous), stored_provisions(current)
    alignment = align_with(current.code, current.number, old, stored_nodes(new))
    kinds = store_links(previous, current, old, new, alignment)
    hooks.lineage_changed.send(previous=previous, current=current, actor=actor)
    return kinds

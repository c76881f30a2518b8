"""Reading pages of the drafting domain: codes, rounds and provisions.

Load, check visibility (an invisible round is 404), render. The secretariat's pages are in
admin.py.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.core.db import db
from app.core.panels import provision_panels, round_counts
from app.drafting.blueprint import bp
from app.drafting.lineage import change_marks, visible_history
from app.drafting.markdown import render_markdown
from app.drafting.models import Provision
from app.drafting.services import (
    get_provision,
    get_round,
    previous_visible_round,
    round_provisions,
    visible_code,
    visible_rounds,
)


@bp.route("/codes/<code>")
def code_page(code: str) -> ResponseReturnValue:
    code_row, rounds = visible_code(code, current_user)
    return render_template("drafting/code.html", code=code_row, rounds=rounds)


def chapters(provisions: list[Provision]) -> list[tuple[Provision, list[Provision]]]:
    """Top-level provisions, each with its descendants in document order."""
    grouped: list[tuple[Provision, list[Provision]]] = []
    for provision in provisions:
        if provision.parent_id is None or not grouped:
            grouped.append((provision, []))
        else:
            grouped[-1][1].append(provision)
    return grouped


@bp.route("/codes/<code>/rounds/<int:number>")
def round_page(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    code_row = round_.code
    provisions = round_provisions(round_)
    groups = sorted({p.group for p in provisions if p.group}, key=lambda g: g.slug)
    group = request.args.get("group", "")
    if group:
        provisions = [p for p in provisions if p.group and p.group.slug == group]
    previous = previous_visible_round(round_, current_user)
    return render_template(
        "drafting/round.html", code=code_row, round=round_, rounds=visible_rounds(
            code_row, current_user), chapters=chapters(provisions), groups=groups,
        group=group, filtered=bool(group), previous=previous,
        marks=change_marks(previous, round_) if previous else {},
        counts=round_counts(round_, current_user),
        preamble=render_markdown(round_.preamble) if round_.preamble else "")  # fmt: skip


def _ancestors(provision: Provision) -> list[Provision]:
    chain = []
    parent = provision.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


@bp.route("/codes/<code>/rounds/<int:number>/provisions/<key>")
def provision(code: str, number: int, key: str) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    code_row = round_.code
    item = get_provision(round_, key)
    steps = visible_history(item, current_user)
    children = db.session.scalars(
        select(Provision).where(Provision.parent_id == item.id).order_by(Provision.position)
    ).all()
    return render_template(
        "drafting/provision.html", code=code_row, round=round_, provision=item,
        ancestors=_ancestors(item), children=children, steps=steps,
        panels=provision_panels(item, current_user))  # fmt: skip


@bp.route("/codes/<code>/rounds/<int:number>/search")
def search(code: str, number: int) -> ResponseReturnValue:
    """The per-round search of old: the code's search (app/search) with this round chosen."""
    round_ = get_round(code, number, current_user)
    query = request.args.get("q", "")
    return redirect(url_for("search.code_search", code=round_.code.slug, q=query or None,
                            round=round_.number))  # fmt: skip


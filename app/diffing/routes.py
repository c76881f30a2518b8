"""Pages of the diffing domain: compare two rounds, a round's changes, a provision's history."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.routing import BuildError

from app.accounts.models import WorkingGroup
from app.core.db import db
from app.core.errors import BadInput, NotFound
from app.core.i18n import N_
from app.core.panels import PROVISION_PANELS, comparison_notes
from app.diffing import services
from app.diffing.blueprint import bp, span
from app.diffing.cache import cached_diff, fragment, rendered
from app.diffing.forms import CompareForm
from app.diffing.render import render_inline, render_side_by_side
from app.drafting.lineage import visible_history
from app.drafting.models import Provision, Round
from app.drafting.permissions import can_view_round
from app.drafting.services import (
    get_round,
    previous_visible_round,
    visible_code,
    visible_rounds,
)

FILTERS = ("group", "kind", "view", "sort")


@bp.app_template_global()
def redline(entry: services.DiffEntry) -> Markup:
    """Inline redline of an entry (escaped by the renderer)."""
    return rendered(  # type: ignore[no-any-return]
        entry.diff, ("inline",), lambda: render_inline(entry.diff)
    )


@bp.app_template_global()
def proposal_redline(passage: str, proposed: str) -> Markup:
    """A proposed wording as a redline against the passage it amends (cached like any diff)."""
    diff = cached_diff(passage, proposed)
    return rendered(diff, ("inline",), lambda: render_inline(diff))  # type: ignore[no-any-return]


@bp.app_template_global()
def redline_sides(entry: services.DiffEntry) -> tuple[Markup, Markup]:
    return rendered(  # type: ignore[no-any-return]
        entry.diff, ("side",), lambda: render_side_by_side(entry.diff)
    )


@bp.app_template_global()
def comparison_overview(comparison: services.Comparison, notes: dict[str, Any]) -> Markup:
    """The summary, legend and jump list of a comparison, rendered once per version of the
    comparison (its lineage signature and filters), language and set of entries whose
    feedback was taken up (the one thing in it that depends on the reader)."""
    taken_up = frozenset(anchor for anchor, note in notes.items()
                         if note is not None and note.visible and note.taken_up)  # fmt: skip
    key = ("overview", str(get_locale()), comparison.version, taken_up)
    return fragment(  # type: ignore[no-any-return]
        key, lambda: _fragment("diffing/_overview.html", comparison=comparison, notes=notes)
    )


@bp.app_template_global()
def entry_html(
    entry: services.DiffEntry, comparison: Any, view: str, note: Any = None
) -> Markup:
    """One entry's article: its redline (memoised under everything it shows: the diff, names,
    rounds) and, when given, what the earlier version received (a COMPARISON_NOTES view
    model that renders itself, `note.html()`)."""
    anchor = escape(entry.anchor)
    return Markup("".join((  # noqa: S704  (every piece escaped, or rendered Markup)
        f'<article class="card diff-entry kind-{escape(entry.kind)}" id="{anchor}" '
        f'aria-labelledby="{anchor}-h">', _entry_inner(entry, comparison, view),
        note.html() if note is not None else "", "</article>")))


def _entry_inner(entry: services.DiffEntry, comparison: Any, view: str) -> Markup:
    old, new = entry.old, entry.new
    key = (
        "entry",
        str(get_locale()),
        view,
        entry.kind,
        comparison.from_round.number,
        comparison.to_round.number,
        comparison.to_round.code.slug,
        entry.from_key,
        entry.to_key,
        old.id if old else None,
        old.heading if old else None,
        old.label if old else None,
        new.id if new else None,
        new.heading if new else None,
        new.label if new else None,
        new.parent.heading if new and new.parent else None,
    )
    return rendered(  # type: ignore[no-any-return]
        entry.diff,
        key,
        lambda: _fragment("diffing/_entry.html", entry=entry, comparison=comparison, view=view),
    )


@bp.app_template_global()
def provision_url(provision: Provision) -> str | None:
    """The provision's own page, if the drafting domain has one."""
    try:
        return url_for(
            "drafting.provision",
            code=provision.round.code.slug,
            number=provision.round.number,
            key=provision.key,
        )
    except BuildError:
        return None


@bp.route("/codes/<code>/compare")
def compare(code: str) -> ResponseReturnValue:
    return _compare_page(code, "diffing/compare.html")


@bp.route("/codes/<code>/compare/print")
def compare_print(code: str) -> ResponseReturnValue:
    return _compare_page(code, "diffing/print.html")


def _compare_page(code_slug: str, template: str) -> ResponseReturnValue:
    code, rounds = visible_code(code_slug, current_user)
    endpoint = request.endpoint or "diffing.compare"
    if "from" not in request.args and "to" not in request.args:
        if len(rounds) < 2:
            return render_template(
                "diffing/compare.html", code=code, form=None, comparison=None, rounds=rounds
            )
        return redirect(
            url_for(
                endpoint,
                code=code.slug,
                **span(rounds[-2].number, rounds[-1].number),
                **_filters(),
            )
        )
    from_n, to_n = services.parse_round_numbers(request.args.get("from"), request.args.get("to"))
    from_round, to_round = services.rounds_to_compare(code, from_n, to_n, current_user)
    if from_n > to_n:
        return redirect(url_for(endpoint, code=code.slug, **span(to_n, from_n), **_filters()))
    form = CompareForm(request.args, rounds, _groups())
    if any(field.raw_data and not field.validate(form) for field in (form.group, form.kind)):
        # A filter the page does not offer is said, not read as "nothing matches" (an unknown
        # order or view falls back to the default: it changes how, not what, is shown).
        raise BadInput(N_("There is no such working group or kind of change to compare by: "
                          "choose one the page offers."))
    comparison = services.compare(
        from_round,
        to_round,
        group=form.group.data or None,
        kinds=[form.kind.data] if form.kind.data else None,
    )
    ordered = comparison.biggest_first() if form.sort.data == "size" else list(comparison.entries)
    return render_template(
        template,
        code=code,
        form=form,
        comparison=comparison,
        ordered=ordered,
        rounds=rounds,
        view=form.view.data,
        query=_query(from_n, to_n),
        notes=comparison_notes(comparison, current_user),
    )


@bp.route("/codes/<code>/rounds/<int:number>/changes")
def round_changes(code: str, number: int) -> ResponseReturnValue:
    round_ = get_round(code, number, current_user)
    code_row = round_.code
    previous = previous_visible_round(round_, current_user)
    comparison = services.compare(previous, round_) if previous else None
    return render_template(
        "diffing/changes.html",
        code=code_row,
        round=round_,
        previous=previous,
        comparison=comparison,
        notes=comparison_notes(comparison, current_user),
    )


@bp.route("/codes/<code>/provisions/<key>/history")
def provision_history_page(code: str, key: str) -> ResponseReturnValue:
    code_row, _ = visible_code(code, current_user)
    steps = _visible_history(code_row, key)
    numbers = [step.round.number for step in steps]
    from_n = _round_arg("from", numbers[-2] if len(numbers) > 1 else numbers[0])
    to_n = _round_arg("to", numbers[-1])
    if from_n > to_n:
        return redirect(
            url_for("diffing.provision_history_page", code=code, key=key, **span(to_n, from_n))
        )
    by_number = {step.round.number: step for step in steps}
    if from_n not in by_number or to_n not in by_number:
        raise NotFound(N_("This provision has no visible version in that round."))
    entries: list[services.DiffEntry] = []
    comparison = None
    if from_n != to_n:
        old_ids = {p.id for p in by_number[from_n].provisions}
        new_ids = {p.id for p in by_number[to_n].provisions}
        comparison = services.compare(by_number[from_n].round, by_number[to_n].round)
        entries = [
            e
            for e in comparison.entries
            if (e.old and e.old.id in old_ids) or (e.new and e.new.id in new_ids)
        ]
    return render_template(
        "diffing/history.html",
        code=code_row,
        key=key,
        steps=steps,
        from_n=from_n,
        to_n=to_n,
        entries=entries,
        comparison=comparison,
        heading=steps[-1].provisions[0].heading,
        notes=comparison_notes(comparison, current_user) if entries else {},
    )


def _visible_history(code: Any, key: str) -> list[Any]:
    """The provision's history steps in rounds the user may see; NotFound if none."""
    rounds = visible_rounds(code, current_user)
    latest = (
        db.session.scalar(
            select(Provision)
            .join(Round)
            .where(Round.id.in_([r.id for r in rounds]), Provision.key == key)
            .order_by(Round.number.desc())
            .limit(1)
        )
        if rounds
        else None
    )
    if latest is None:
        raise NotFound(N_("There is no such provision."))
    return visible_history(latest, current_user)


def _round_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadInput(N_("%(name)s must be a round number."), name=name) from None


def _filters() -> dict[str, Any]:
    return {k: v for k in FILTERS if (v := request.args.get(k, ""))}


def _query(from_n: int, to_n: int) -> dict[str, Any]:
    return {**span(from_n, to_n), **_filters()}


def _groups() -> list[WorkingGroup]:
    return list(db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.slug)))


def history_panel(provision: Provision, user: Any) -> str:
    """The "History and changes" block on a provision's page."""
    if not can_view_round(user, provision.round):
        return ""
    steps = visible_history(provision, user)
    here = next((i for i, s in enumerate(steps) if s.round.id == provision.round_id), None)
    return _fragment(
        "diffing/_history_panel.html",
        provision=provision,
        code=provision.round.code,
        steps=steps,
        previous=steps[here - 1] if here else None,
    )


def _fragment(template: str, **context: Any) -> Markup:
    """A partial template rendered to Markup (autoescaped by Jinja, so safe to embed)."""
    return Markup(render_template(template, **context))  # noqa: S704


PROVISION_PANELS.append(history_panel)

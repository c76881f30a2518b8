"""The drafting blueprint, shared by its reading pages (routes.py) and the secretariat's
pages (admin.py)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("drafting", __name__)

VISIBILITY_LABELS = {"internal": _l("internal"), "plenary": _l("plenary"), "public": _l("public")}


@bp.app_template_global()
def visibility_name(visibility: str) -> str:
    """Who may see a round, in a word of the reader's language."""
    return str(VISIBILITY_LABELS.get(visibility, visibility))


KIND_LABELS = {"unchanged": _l("unchanged"), "modified": _l("modified"), "moved": _l("moved"),
               "split": _l("split"), "merged": _l("merged"), "removed": _l("removed"),
               "added": _l("added")}
MARK_LABELS = {"added": _l("new"), "modified": _l("changed"), "moved": _l("moved"),
               "split": _l("split"), "merged": _l("merged")}


@bp.app_template_global()
def link_kind_name(kind: str) -> str:
    """What lineage says became of a provision ("split"), in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def mark_name(mark: str) -> str:
    """A provision's mark in a round's contents against the round before ("new", "changed")."""
    return str(MARK_LABELS.get(mark, KIND_LABELS.get(mark, mark)))


# The kinds of provision a code declares in its `levels` (free names: these are the usual ones,
# from docs/drafting.md and the Akoma Ntoso export); an unknown kind is shown as written.
PROVISION_KIND_LABELS = {
    "part": _l("part"), "title": _l("title"), "chapter": _l("chapter"),
    "section": _l("section"), "commitment": _l("commitment"), "measure": _l("measure"),
    "submeasure": _l("sub-measure"), "sub-measure": _l("sub-measure"),
    "article": _l("article"), "paragraph": _l("paragraph"), "point": _l("point"),
    "kpi": _l("KPI"), "annex": _l("annex"), "recital": _l("recital"),
}


@bp.app_template_global()
def provision_kind_name(kind: str) -> str:
    """A provision's kind ("measure", "mesure") in the reader's language."""
    return str(PROVISION_KIND_LABELS.get(kind.lower(), kind))

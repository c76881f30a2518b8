"""Atom feeds (RFC 4287): a Code's published rounds, and one provision's changes.

Feeds are read by feed readers that never sign in, so they show public rounds only, whoever
asks. The XML is built with xml.etree, which escapes every text and attribute.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask import Response, url_for
from sqlalchemy import select

from app.core.db import db
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.urls import public_url_for
from app.diffing import services
from app.diffing.blueprint import bp, span
from app.drafting.lineage import HistoryStep, provision_history
from app.drafting.models import Code, Provision, Round
from app.drafting.services import get_code

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


@bp.route("/codes/<code>/feed.atom")
def code_feed(code: str) -> Response:
    """The public rounds of a Code, newest first, each with what changed since the last one."""
    code_row = get_code(code)
    rounds = _public_rounds(code_row)
    if not rounds:
        raise NotFound(N_("There is no such code."))  # its title must not leak through the feed
    feed = _feed(
        feed_id=public_url_for("diffing.code_feed", code=code),
        title=f"{code_row.title}: published rounds",
        alternate=public_url_for("diffing.compare", code=code),
        updated=max((_updated(r) for r in rounds), default=code_row.created_at),
    )
    previous: Round | None = None
    items = []
    for round_ in rounds:
        summary = "The first published round."
        if previous is not None:
            summary = f"Compared with round {previous.number}: " + _describe(
                services.compare(previous, round_)
            )
        link = public_url_for("diffing.round_changes", code=code, number=round_.number)
        items.append((round_, f"Round {round_.number}: {round_.name}", link, summary))
        previous = round_
    for round_, title, link, summary in reversed(items):
        _entry(feed, link, title, link, round_, summary)
    return _response(feed)


@bp.route("/codes/<code>/provisions/<key>/feed.atom")
def provision_feed(code: str, key: str) -> Response:
    """The public versions of one provision, newest first, each with its word changes."""
    code_row = get_code(code)
    public = _public_rounds(code_row)
    latest = (
        db.session.scalar(
            select(Provision)
            .where(Provision.round_id.in_([r.id for r in public]), Provision.key == key)
            .join(Round)
            .order_by(Round.number.desc())
            .limit(1)
        )
        if public
        else None
    )
    if latest is None:
        raise NotFound(N_("There is no such provision."))
    steps = [s for s in provision_history(latest) if s.round.visibility == "public"]
    feed = _feed(
        feed_id=public_url_for("diffing.provision_feed", code=code, key=key),
        title=f"{code_row.title}: changes to {latest.heading}",
        alternate=public_url_for("diffing.provision_history_page", code=code, key=key),
        updated=max(_updated(s.round) for s in steps),
    )
    items = []
    for before, step in zip([None, *steps], steps, strict=False):
        heading = "; ".join(p.heading for p in step.provisions)
        if before is None:
            summary = f"First published version, in round {step.round.number}."
            link = public_url_for(
                "diffing.provision_history_page",
                code=code,
                key=key,
                **span(step.round.number, step.round.number),
            )
        else:
            summary = _describe_step(before, step)
            link = public_url_for(
                "diffing.provision_history_page",
                code=code,
                key=key,
                **span(before.round.number, step.round.number),
            )
        items.append((step, f"Round {step.round.number}: {heading}", link, summary))
    for step, title, link, summary in reversed(items):
        _entry(feed, link, title, link, step.round, summary)
    return _response(feed)


def _public_rounds(code: Code) -> list[Round]:
    return [r for r in code.rounds if r.visibility == "public"]


def _updated(round_: Round) -> dt.datetime:
    return round_.imported_at


def _describe(comparison: services.Comparison) -> str:
    kinds = ", ".join(
        f"{n} {kind}" for kind, n in comparison.summary.items() if n and kind != "unchanged"
    )
    return (
        f"{kinds or 'no provision changed'}; {comparison.words_inserted} words inserted, "
        f"{comparison.words_deleted} deleted."
    )


def _describe_step(before: HistoryStep, step: HistoryStep) -> str:
    old_ids = {p.id for p in before.provisions}
    new_ids = {p.id for p in step.provisions}
    comparison = services.compare(before.round, step.round)
    entries = [
        e
        for e in comparison.entries
        if (e.old and e.old.id in old_ids) or (e.new and e.new.id in new_ids)
    ]
    kinds = sorted({e.kind for e in entries})
    inserted = sum(e.diff.words_inserted for e in entries)
    deleted = sum(e.diff.words_deleted for e in entries)
    return (
        f"Compared with round {before.round.number}: {', '.join(kinds) or 'no link'}; "
        f"{inserted} words inserted, {deleted} deleted."
    )


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _child(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _feed(*, feed_id: str, title: str, alternate: str, updated: dt.datetime) -> ET.Element:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _child(feed, "id", feed_id)
    _child(feed, "title", title)
    _child(feed, "updated", _stamp(updated))
    _child(feed, "link", rel="self", type="application/atom+xml", href=feed_id)
    _child(feed, "link", rel="alternate", type="text/html", href=alternate)
    author = _child(feed, "author")
    _child(author, "name", "Plenary")
    _child(feed, "generator", "Plenary")
    return feed


def _entry(
    feed: ET.Element, entry_id: str, title: str, link: str, round_: Round, summary: str
) -> None:
    entry = _child(feed, "entry")
    _child(entry, "id", entry_id)
    _child(entry, "title", title)
    _child(entry, "updated", _stamp(_updated(round_)))
    if round_.date is not None:
        published = dt.datetime.combine(round_.date, dt.time(), tzinfo=dt.UTC)
        _child(entry, "published", _stamp(published))
    _child(entry, "link", rel="alternate", type="text/html", href=link)
    _child(entry, "summary", summary)


def _response(feed: ET.Element) -> Response:
    """The feed, with a stylesheet that lets a browser show it as a readable page (feed readers
    ignore the processing instruction)."""
    stylesheet = url_for("static", filename="feed.xsl")
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + f'<?xml-stylesheet type="text/xsl" href="{stylesheet}"?>\n'.encode()
        + ET.tostring(feed, encoding="utf-8")
    )
    return Response(body, mimetype="application/atom+xml")

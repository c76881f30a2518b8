"""Comments as JSON: the API's items and W3C Web Annotations (JSON-LD).

A comment's W3C form: motivation "editing" when it proposes wording, else "commenting"; a
TextualBody with its text (purpose commenting), one with the proposed wording (purpose
editing) and one with its stance (purpose tagging); a SpecificResource target on the provision
page with a TextQuoteSelector and a TextPositionSelector; a creator only when the author
consented to publishing name and organisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from app.core.urls import absolute
from app.drafting.models import Provision
from app.feedback.models import Comment, CommentCarry

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNO_MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def provision_path(provision: Provision) -> str:
    """The provision page's path (the drafting domain's route)."""
    code, number, key = provision.round.code.slug, provision.round.number, provision.key
    try:
        return url_for("drafting.provision", code=code, number=number, key=key)
    except BuildError:
        return f"/codes/{code}/rounds/{number}/provisions/{key}"


def provision_url(provision: Provision) -> str:
    return absolute(provision_path(provision))


def comment_url(comment: Comment) -> str:
    return absolute(f"/api/v1/comments/{comment.id}")


def author_json(comment: Comment) -> dict[str, Any] | None:
    """Name, organisation and category: only for a comment published with consent."""
    if not comment.publish_consent:
        return None
    author = comment.author
    return {
        "name": author.display_name,
        "organisation": author.organisation,
        "category": author.category,
    }


def comment_json(
    comment: Comment, status: str, carry: CommentCarry | None = None, *, show_author: bool = False
) -> dict[str, Any]:
    """The API's view of one comment. `show_author` adds the author for privileged readers."""
    quote = None
    if comment.anchored:
        quote = {
            "exact": comment.quote_exact,
            "prefix": comment.quote_prefix,
            "suffix": comment.quote_suffix,
            "start": comment.quote_start,
            "end": comment.quote_end,
        }
    data: dict[str, Any] = {
        "id": comment.id,
        "external_id": comment.external_id,
        "stance": comment.stance,
        "body": comment.body,
        "quote": quote,
        "proposed_text": comment.proposed_text,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "status": status,
        "parent_id": comment.parent_id,
        "provision": comment.provision.key,
        "round": comment.round.number,
        "published": bool(comment.publish_consent),
        "hidden": comment.hidden,
        "author": author_json(comment),
        # The chairs' decision on the proposed wording (None: none proposed, or not decided).
        "decision": comment.decision,
        "decision_reason": comment.decision_reason,
        "decided_at": iso(comment.decided_at),
    }
    if show_author and data["author"] is None:
        data["author"] = {
            "name": comment.author.display_name,
            "organisation": comment.author.organisation,
            "category": comment.author.category,
        }
    if carry is not None:
        data["carried"] = {
            "status": carry.status,
            "provision": carry.to_provision.key if carry.to_provision else None,
        }
        if show_author:  # the adoption check is a suggestion for the chairs, not a decision
            data["carried"]["adoption_suggested"] = carry.adopted
    return data


def annotation(comment: Comment) -> dict[str, Any]:
    """One anchored comment as a W3C Web Annotation (JSON-LD)."""
    bodies: list[dict[str, Any]] = [
        {
            "type": "TextualBody",
            "value": comment.body,
            "format": "text/plain",
            "purpose": "commenting",
        },
    ]
    if comment.proposed_text:
        bodies.append(
            {
                "type": "TextualBody",
                "value": comment.proposed_text,
                "format": "text/plain",
                "purpose": "editing",
            }
        )
    bodies.append(
        {
            "type": "TextualBody",
            "value": comment.stance,
            "format": "text/plain",
            "purpose": "tagging",
        }
    )
    selectors: list[dict[str, Any]] = [
        {
            "type": "TextQuoteSelector",
            "exact": comment.quote_exact,
            "prefix": comment.quote_prefix or "",
            "suffix": comment.quote_suffix or "",
        },
    ]
    if comment.quote_start is not None and comment.quote_end is not None:
        selectors.append(
            {"type": "TextPositionSelector", "start": comment.quote_start, "end": comment.quote_end}
        )
    data: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": comment_url(comment),
        "type": "Annotation",
        "motivation": "editing" if comment.proposed_text else "commenting",
        "created": iso(comment.created_at),
        "modified": iso(comment.updated_at),
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": provision_url(comment.provision),
            "selector": selectors,
        },
    }
    if (author := author_json(comment)) is not None:
        name = author["name"]
        if author["organisation"]:
            name = f"{name} ({author['organisation']})"
        data["creator"] = {"type": "Person", "name": name}
    return data


def annotation_page(comments: list[Comment], page_url: str) -> dict[str, Any]:
    """An AnnotationPage holding the given anchored comments."""
    return {
        "@context": ANNO_CONTEXT,
        "id": page_url,
        "type": "AnnotationPage",
        "startIndex": 0,
        "items": [annotation(c) for c in comments if c.anchored],
    }

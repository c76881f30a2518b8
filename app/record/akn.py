"""A round as an Akoma Ntoso 3.0 document (OASIS LegalDocML; CONTRACT §9, docs/record.md).

The Code is the FRBR work, the round a dated expression of it (version = round number), this
XML file a manifestation. The document is a `doc` named "codeOfPractice": its preface carries
the title and stage, its preamble the round's preamble, its mainBody the provision tree.

Provision kinds map to AKN hierarchy elements (KIND_ELEMENTS); any other kind becomes an
`hcontainer` named after it. A provision with children keeps its own text in `<intro>`, a leaf
provision in `<content>`. Every provision's `eId` is derived from its key alone, so lineage's
"same provision" (the same key in two rounds) is the same eId in both documents, wherever the
provision moved and however it was renumbered.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from app.core.db import utcnow
from app.drafting.markdown import render_markdown
from app.drafting.models import Provision, Round

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
PLENARY_NS = "urn:plenary:record"
MEDIA_TYPE = "application/akn+xml"
KIND_ELEMENTS = {
    "part": "part", "title": "title", "chapter": "chapter", "commitment": "section",
    "section": "section", "measure": "article", "article": "article",
    "submeasure": "paragraph", "paragraph": "paragraph", "kpi": "paragraph", "point": "point",
}  # fmt: skip
_INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "del": "del", "s": "del", "code": "span"}
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def _el(parent: Any, tag: str, text: str | None = None, **attrs: Any) -> Any:
    node = etree.SubElement(parent, f"{{{AKN_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def eid_for(key: str) -> str:
    """The eId of a provision: its key with anything but letters, digits, '.', '_' and '-'
    replaced by '-', and '__' (AKN's level separator) folded, prefixed when it would not start
    with a letter."""
    eid = _NOT_ID.sub("-", key.strip()).strip("-")
    eid = re.sub(r"_{2,}", "_", eid) or "provision"
    return eid if eid[0].isalpha() else f"p-{eid}"


# -- bodies: the sanitised HTML of a provision, as AKN blocks -------------------------------


def _inline(target: Any, node: Any) -> None:
    """Append the inline content of HTML `node` (its text and children) to AKN `target`."""
    _add_text(target, node.text)
    for child in node:
        _inline_child(target, child)
        _add_text(target, child.tail)


def _inline_child(target: Any, child: Any) -> None:
    tag = child.tag if isinstance(child.tag, str) else ""
    if tag == "br":
        _el(target, "br")
    elif tag == "a" and child.get("href"):
        _inline(_el(target, "a", href=child.get("href")), child)
    elif tag in _INLINE:
        extra = {"class": "code"} if tag == "code" else {}
        _inline(_el(target, _INLINE[tag], **extra), child)
    else:
        _inline(target, child)


def _add_text(target: Any, text: str | None) -> None:
    if not text:
        return
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


def _blocks(target: Any, container: Any, eid: str, counter: list[int]) -> None:
    """Append AKN blocks for the block-level HTML children of `container`."""
    _loose(target, container.text)
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("ul", "ol"):
            _list(target, child, eid, counter)
        elif tag == "table":
            _table(target, child, eid, counter)
        elif tag == "blockquote":
            _blocks(target, child, eid, counter)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            _inline(_el(_el(target, "p", **{"class": "heading"}), "b"), child)
        elif tag == "pre":
            _el(target, "p", child.text_content(), **{"class": "code"})
        elif tag == "hr":
            pass
        else:
            _inline(_el(target, "p"), child)
        _loose(target, child.tail)


def _loose(target: Any, text: str | None) -> None:
    if text and text.strip():
        _el(target, "p", text.strip())


def _list(target: Any, node: Any, eid: str, counter: list[int]) -> None:
    counter[0] += 1
    akn_list = _el(target, node.tag, eId=f"{eid}__list_{counter[0]}")
    for item in node:
        if not isinstance(item.tag, str) or item.tag != "li":
            continue
        li = _el(akn_list, "li")
        li.text = item.text
        for child in item:
            if child.tag in ("ul", "ol"):
                _list(li, child, eid, counter)
            elif child.tag == "p":
                _inline(_el(li, "p"), child)
            else:
                _inline_child(li, child)
            _add_text(li, child.tail)
    if not len(akn_list):
        _el(akn_list, "li")


def _table(target: Any, node: Any, eid: str, counter: list[int]) -> None:
    counter[0] += 1
    table = _el(target, "table", eId=f"{eid}__table_{counter[0]}")
    for row in node.iter("tr"):
        tr = _el(table, "tr")
        for cell in row:
            if cell.tag in ("th", "td"):
                _inline(_el(_el(tr, cell.tag), "p"), cell)
        if not len(tr):
            _el(_el(tr, "td"), "p")
    if not len(table):
        _el(_el(_el(table, "tr"), "td"), "p")


def _body(target: Any, html: str, eid: str) -> None:
    fragment = lxml_html.fragment_fromstring(html or "", create_parent="div")
    _blocks(target, fragment, eid, [0])
    if not len(target):
        _el(target, "p")


# -- the document ---------------------------------------------------------------------------


def _provision(parent: Any, provision: Provision, children: dict[int | None, list[Provision]],
               eids: dict[int, str]) -> None:  # fmt: skip
    element = KIND_ELEMENTS.get(provision.kind.lower())
    eid = eids[provision.id]
    attrs = {"eId": eid} if element else {"eId": eid, "name": provision.kind}
    node = _el(parent, element or "hcontainer", **attrs)
    if provision.label or provision.number:
        _el(node, "num", provision.label or provision.number)
    _el(node, "heading", provision.title)
    kids = children.get(provision.id, [])
    if not kids:
        _body(_el(node, "content", eId=f"{eid}__content"), provision.body_html, eid)
        return
    if (provision.body or "").strip():
        _body(_el(node, "intro", eId=f"{eid}__intro"), provision.body_html, eid)
    for child in kids:
        _provision(node, child, children, eids)


def _eids(provisions: list[Provision]) -> dict[int, str]:
    taken: set[str] = set()
    out = {}
    for provision in provisions:  # position order: a (rare) clash goes to the later one
        eid = base = eid_for(provision.key)
        suffix = 2
        while eid in taken:
            eid, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(eid)
        out[provision.id] = eid
    return out


def _identification(meta: Any, round_: Round, first_date: str) -> None:
    code = round_.code
    date = (round_.date or round_.imported_at.date()).isoformat()
    work = f"/akn/eu/doc/codeOfPractice/{first_date}/{code.slug}"
    expression = f"{work}/eng@{date}"
    ident = _el(meta, "identification", source="#plenary")
    frbr = _el(ident, "FRBRWork")
    _el(frbr, "FRBRthis", value=f"{work}/!main")
    _el(frbr, "FRBRuri", value=work)
    _el(frbr, "FRBRdate", date=first_date, name="firstDraft")
    _el(frbr, "FRBRauthor", href="#secretariat")
    _el(frbr, "FRBRcountry", value="eu")
    _el(frbr, "FRBRsubtype", value="codeOfPractice")
    _el(frbr, "FRBRnumber", value=code.slug)
    _el(frbr, "FRBRname", value=code.title)
    expr = _el(ident, "FRBRExpression")
    _el(expr, "FRBRthis", value=f"{expression}/!main")
    _el(expr, "FRBRuri", value=expression)
    _el(expr, "FRBRdate", date=date, name=round_.name)
    _el(expr, "FRBRauthor", href="#secretariat")
    _el(expr, "FRBRversionNumber", value=round_.number)
    _el(expr, "FRBRauthoritative", value="true" if round_.final else "false")
    _el(expr, "FRBRlanguage", language="eng")
    manif = _el(ident, "FRBRManifestation")
    _el(manif, "FRBRthis", value=f"{expression}/!main.xml")
    _el(manif, "FRBRuri", value=f"{expression}.akn")
    _el(manif, "FRBRdate", date=utcnow().date().isoformat(), name="generation")
    _el(manif, "FRBRauthor", href="#plenary")
    _el(manif, "FRBRformat", value=MEDIA_TYPE)


def round_document(round_: Round) -> bytes:
    """The round as Akoma Ntoso 3.0 XML (UTF-8, with an XML declaration)."""
    code = round_.code
    dates = [r.date or r.imported_at.date() for r in code.rounds]
    first_date = min(dates).isoformat() if dates else utcnow().date().isoformat()
    root = etree.Element(f"{{{AKN_NS}}}akomaNtoso", nsmap={None: AKN_NS})
    doc = _el(root, "doc", name="codeOfPractice")
    meta = _el(doc, "meta")
    _identification(meta, round_, first_date)
    refs = _el(meta, "references", source="#plenary")
    organisation = "/ontology/organization/"
    _el(refs, "TLCOrganization", eId="plenary", href=organisation + "plenary", showAs="Plenary")
    _el(refs, "TLCOrganization", eId="secretariat", href=f"{organisation}{code.slug}.secretariat",
        showAs="The secretariat")  # fmt: skip
    proprietary = _el(meta, "proprietary", source="#plenary")
    etree.SubElement(proprietary, f"{{{PLENARY_NS}}}round", nsmap={"plenary": PLENARY_NS},
                     code=code.slug, number=str(round_.number), final=str(round_.final).lower(),
                     sourceSha256=round_.source_hash or "")  # fmt: skip
    preface = _el(doc, "preface")
    _el(_el(preface, "p", **{"class": "title"}), "docTitle", code.title)
    _el(_el(preface, "p"), "docStage", round_.name)
    if round_.date:
        _el(_el(preface, "p"), "docDate", round_.date.strftime("%d %B %Y"),
            date=round_.date.isoformat())  # fmt: skip
    if (round_.preamble or "").strip():
        _body(_el(doc, "preamble"), render_markdown(round_.preamble), "preamble")
    body = _el(doc, "mainBody")
    provisions = sorted(round_.provisions, key=lambda p: p.position)
    children: dict[int | None, list[Provision]] = {}
    for provision in provisions:
        children.setdefault(provision.parent_id, []).append(provision)
    eids = _eids(provisions)
    for provision in children.get(None, []):
        _provision(body, provision, children, eids)
    if not len(body):
        _el(body, "p")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml

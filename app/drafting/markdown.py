"""Render provision and comment Markdown to safe HTML, and recover its text content.

markdown-it-py renders CommonMark with tables and strikethrough and no raw HTML; nh3 cleans
the result again as a second guard, so a bug in one layer does not open a hole.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
ALLOWED_TAGS = frozenset(
    {
        "p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "em", "strong",
        "code", "pre", "blockquote", "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br",
        "del", "s",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}


def _valid_link(url: str) -> bool:
    """Accept only absolute http(s) and mailto links."""
    scheme, colon, _ = url.strip().partition(":")
    return bool(colon) and scheme.lower() in LINK_SCHEMES


def _image_as_alt_text(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: Any, env: Any
) -> str:
    """Images are not allowed in drafts or comments: keep their alternative text."""
    return escape(renderer.renderInlineAsText(tokens[index].children or [], options, env))


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _valid_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image_as_alt_text)
    return md


_MD = _build()


def render_markdown(md: str) -> str:
    """Render Markdown to HTML that is safe to embed in a page.

    Raw HTML in the source is shown as text, links keep only http, https and mailto
    targets and get rel="nofollow noopener", and images become their alternative text.
    """
    html = _MD.render(md)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_keep_attribute,
    )


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Drop link targets that are empty or relative (markdown-it does not validate `[a]()`)."""
    if tag == "a" and name == "href" and not _valid_link(value):
        return None
    return value


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text content of `html`, as a browser's `element.textContent` returns it.

    Text nodes are concatenated in document order with entities decoded; no whitespace is
    added or collapsed, so character offsets match those a browser reports.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)

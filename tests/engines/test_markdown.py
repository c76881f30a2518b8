"""Safe Markdown rendering and the textContent that comment anchors are measured on."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.drafting.markdown import ALLOWED_TAGS, plain_text, render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "text <script>alert(1)</script> text",
        "<div onclick='alert(1)'>hi</div>",
        "<img src=x onerror=alert(1)>",
        "<!-- hidden -->",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://example.org'></iframe>",
    ],
)
def test_raw_html_is_shown_as_text_never_passed_through(source):
    html = render_markdown(source)
    assert "<script" not in html
    assert "<div" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<!--" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x](/relative/path)",
        "[x](ftp://example.org/file)",
    ],
)
def test_links_other_than_http_https_mailto_are_not_links(link):
    assert "<a" not in render_markdown(link)


@pytest.mark.parametrize(
    ("link", "href"),
    [
        ("[site](https://example.org/a?b=1)", "https://example.org/a?b=1"),
        ("[site](http://example.org)", "http://example.org"),
        ("[mail](mailto:office@example.org)", "mailto:office@example.org"),
        ("<https://example.org>", "https://example.org"),
    ],
)
def test_allowed_links_get_nofollow_noopener(link, href):
    assert f'<a href="{href}" rel="nofollow noopener">' in render_markdown(link)


def test_link_titles_are_dropped():
    assert "title=" not in render_markdown('[a](https://example.org "A title")')


def test_bare_urls_are_not_linkified():
    assert "<a" not in render_markdown("see https://example.org today")


def test_images_become_their_alternative_text():
    html = render_markdown("![a *chart* of costs](https://example.org/c.png)")
    assert "<img" not in html
    assert html == "<p>a chart of costs</p>\n"


def test_tables_render():
    html = render_markdown("| Item | Cost |\n|---|--:|\n| Audit | 5 |\n")
    for tag in ("<table>", "<thead>", "<th>Item</th>", "<tbody>", "<td>Audit</td>"):
        assert tag in html
    assert "style=" not in html


def test_strikethrough_emphasis_lists_and_code_render():
    html = render_markdown("~~old~~ *new* **strong** `code`\n\n3. three\n4. four\n")
    for tag in ("<s>old</s>", "<em>new</em>", "<strong>strong</strong>", "<code>code</code>"):
        assert tag in html
    assert '<ol start="3">' in html


def test_fenced_code_keeps_html_as_text():
    html = render_markdown("```html\n<b>bold</b>\n```\n")
    assert html == "<pre><code>&lt;b&gt;bold&lt;/b&gt;\n</code></pre>\n"


def test_plain_text_concatenates_text_nodes_without_adding_whitespace():
    assert plain_text("<p>one</p><p>two <em>three</em></p>") == "onetwo three"


def test_plain_text_decodes_entities():
    assert plain_text("<p>a &amp; b &lt;c&gt; &nbsp;&copy; &#233;</p>") == "a & b <c> \xa0© é"


def test_plain_text_keeps_newlines_between_blocks_as_written():
    assert plain_text(render_markdown("First.\n\nSecond line  \nbreak.")) == (
        "First.\nSecond line\nbreak.\n"
    )


def test_plain_text_ignores_comments():
    assert plain_text("<p>a<!-- x -->b</p>") == "ab"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


_FRAGMENTS = st.sampled_from(
    ["<script>", "</script>", "<img src=x onerror=alert(1)>", "[a](", "javascript:", ")",
     "<a href='", "'>", "![", "](", "http://x.org", "`", "\n", "\n\n", "| a |", "|---|",
     "<!--", "-->", "&lt;", "<", ">", '"', "*", "~~", "# ", "mailto:a@b.c", " on", "click="]
)  # fmt: skip


@given(st.lists(_FRAGMENTS | st.text(max_size=8), max_size=30).map("".join))
def test_output_has_only_allowed_tags_attributes_and_link_schemes(source):
    parser = _Tags()
    parser.feed(render_markdown(source))
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert (tag, name) in {("a", "href"), ("a", "rel"), ("ol", "start")}
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}


@given(st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=10), min_size=1, max_size=5))
def test_plain_text_of_plain_paragraphs_keeps_every_word(paragraphs):
    source = "\n\n".join(paragraphs)
    text = plain_text(render_markdown(source))
    assert text.split() == source.split()

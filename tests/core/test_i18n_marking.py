"""Every user-visible string of the templates is marked for translation.

A checker over the template source (no rendering): the text between tags and the title, alt,
aria-label and placeholder attributes must not hold words outside `{% trans %}` blocks and
`{{ _() }}` calls, and string literals inside Jinja expressions that read as prose (a space
and a word) must be inside `_()`/`gettext`/`ngettext`. Brand names, format names and code are
allowed (ALLOWED). Directories still to be marked are listed in UNMARKED and expected to fail.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

MARKED = ["accounts", "admin", "drafting", "record", "search", "diffing", "notifications",
          "feedback", "errors", "macros", "synthesis", "public"]
# Every template directory is marked; a new one goes to MARKED (or, for a while, here).
UNMARKED: list[str] = []
SKIPPED_FILES: set[str] = set()

ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
GETTEXT = {"_", "gettext", "ngettext", "lazy_gettext"}
# Words that read the same in every language: the brand, formats, standards, code.
ALLOWED = {"Plenary", "API", "JSON", "CSV", "Atom", "OpenAPI", "XML", "UTC", "RFC", "Akoma",
           "Ntoso", "Ed25519", "SHA", "Merkle", "Bearer", "Authorization", "token", "Lines"}
HOLE = "\x00"  # stands for a Jinja expression in the text the HTML parser sees
PROSE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")


def _environment() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])


def _strip(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with every Jinja expression and tag replaced by a hole and every
    trans block removed; and the prose string literals found outside gettext calls."""
    out: list[str] = []
    literals: list[tuple[int, str]] = []
    in_trans = False
    depth_in_gettext: list[int] = []  # paren depth at which each open gettext call started
    depth = 0
    previous_name = ""
    block_words: list[str] = []
    for line, kind, value in _environment().lex(source):
        if kind == "block_begin":
            block_words = []
        if kind == "name" and not block_words:
            block_words.append(value)
        if kind == "block_end" and block_words:
            if block_words[0] == "trans":
                in_trans = True
            elif block_words[0] == "endtrans":
                in_trans = False
        if kind == "data":
            out.append(HOLE if in_trans else value)
            continue
        if kind == "variable_begin":
            out.append(HOLE)
        if kind == "whitespace":
            continue
        if kind == "operator" and value == "(":
            depth += 1
            if previous_name in GETTEXT:
                depth_in_gettext.append(depth)
        elif kind == "operator" and value == ")":
            if depth_in_gettext and depth_in_gettext[-1] == depth:
                depth_in_gettext.pop()
            depth -= 1
        elif kind == "string" and not depth_in_gettext and not in_trans:
            if PROSE.search(value) and not _is_code(value):
                literals.append((line, value))
        previous_name = value if kind == "name" else ""
    return "".join(out), literals


def _is_code(text: str) -> bool:
    """A strftime format, a list of CSS classes, a MIME type, an identifier or the like."""
    return ("%" in text and re.fullmatch(r"[%\w\s:,.-]*", text) is not None) or re.fullmatch(
        r"[a-z0-9 _.:/,-]*", text) is not None and not re.search(r"[a-z]{2,} [a-z]{2,} [a-z]", text)


def _words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+|\b[A-Za-z]\b", text.replace(HOLE, " "))
    return [w for w in words if w not in ALLOWED]


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "script", "style", "pre"):
            self.skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value and _words(value):
                self.found.append(f'{name}="{value.replace(HOLE, "…")}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "script", "style", "pre") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and _words(data):
            self.found.append(" ".join(data.replace(HOLE, " … ").split()).strip("… "))


def unmarked(path: Path) -> list[str]:
    """The user-visible text of one template that is not marked for translation."""
    source = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
    html, literals = _strip(source)
    finder = _Finder()
    finder.feed(html)
    assigns = re.search(r"{%-?\s*set\s+_\s*=", source)
    shadowed = ["`_` assigned: it hides gettext"] if assigns else []
    return finder.found + [f"line {line}: {text}" for line, text in literals] + shadowed


def _templates(directory: str) -> list[Path]:
    return [p for p in sorted((TEMPLATES / directory).glob("*.html"))
            if str(p.relative_to(TEMPLATES)) not in SKIPPED_FILES]


@pytest.mark.parametrize("directory", [
    *MARKED,
    *[pytest.param(d, marks=pytest.mark.xfail(
        reason="TODO(issue 16, point 6): not marked for translation yet", strict=True))
      for d in UNMARKED],
])
def test_every_user_visible_string_of_the_templates_is_marked(directory: str) -> None:
    found = {str(p.relative_to(TEMPLATES)): unmarked(p) for p in _templates(directory)}
    found = {name: texts for name, texts in found.items() if texts}
    assert found == {}


def test_the_checker_finds_unmarked_text_and_accepts_marked_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('{% block title %}Your account{% endblock %}<p title="Hello">'
                    "{{ _('Fine') }} {% trans n=3 %}{{ n }} fine{% endtrans %}</p>"
                    "<code>plenary demo</code>{{ field(f, hint='Two words here') }}"
                    "{{ x.strftime('%d %B %Y') }}<span class=\"a b\">Plenary · API</span>")
    assert unmarked(page) == ["Your account", 'title="Hello"', "line 1: 'Two words here'"]


def test_every_template_directory_is_either_marked_or_listed_as_unmarked() -> None:
    directories = {p.name for p in TEMPLATES.iterdir() if p.is_dir()}
    assert directories == set(MARKED) | set(UNMARKED)

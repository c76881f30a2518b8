"""Parse one drafting round from its Markdown file (CONTRACT.md section 1).

Pure: takes the text, returns frozen dataclasses, raises `DraftError` naming the file, the
line and the problem. It checks the file's own consistency only; whether working groups
exist is the importer's business.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.drafting.frontmatter import N_, SLUG, DraftError, FrontMatter

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*\Z")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)\Z")
_ATTRS = re.compile(r"\{([^{}]*)\}[ \t]*\Z")
_CLOSING_HASHES = re.compile(r"(?:\A|[ \t]+)#+[ \t]*\Z")
_NUMBER = r"(?:[0-9]+|[IVXLCDM]+)(?:\.(?:[0-9]+|[IVXLCDM]+))*[a-z]?"
_LABEL = re.compile(
    rf"(?P<word>[A-Za-z][A-Za-z-]*)[ \t]+(?P<number>{_NUMBER})"
    r"(?:(?P<sep>[ \t]*(?::|[-–—](?=[ \t]|\Z))[ \t]*|[ \t]+)(?P<title>.*))?\Z"
)
_ACRONYM = re.compile(r"[A-Z]{2,6}\Z")
# Raw HTML as CommonMark sees it: complete inline tags, comments, declarations, processing
# instructions, and the start of an HTML block at the beginning of a line.
_INLINE_TAG = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
    r"\s*/?>|/[A-Za-z][A-Za-z0-9-]*\s*>|!--|![A-Za-z]|!\[CDATA\[|\?)"
)
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|"
    "head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|"
    "option|p|param|pre|script|search|section|style|summary|table|tbody|td|textarea|tfoot|th|"
    "thead|title|tr|track|ul"
)
_BLOCK_TAG = re.compile(rf" {{0,3}}</?(?:{_BLOCK_TAGS})(?=[\s/>]|\Z)", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


@dataclass(frozen=True)
class ParsedProvision:
    """One heading of a draft and the Markdown body under it."""

    index: int
    kind: str
    depth: int
    label: str | None
    number: str | None
    title: str
    key: str | None
    group: str | None
    parent: int | None
    body: str
    line: int


@dataclass(frozen=True)
class ParsedRound:
    """A whole draft file: its front matter, preamble and provisions in document order."""

    code: str
    title: str
    round: int
    name: str
    date: datetime.date | None
    final: bool
    visibility: str
    opens: datetime.datetime | None
    closes: datetime.datetime | None
    levels: tuple[str, ...]
    preamble: str
    provisions: tuple[ParsedProvision, ...]


@dataclass(frozen=True)
class _Heading:
    label: str | None
    number: str | None
    title: str
    key: str | None
    group: str | None


def parse_draft(text: str, filename: str, *, default_code: str | None = None) -> ParsedRound:
    """Parse a draft round file.

    `default_code` (the folder name) is used when the front matter has no `code`.
    Raises DraftError for the first problem found, with its 1-based line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise DraftError(filename, number, N_("NUL character in the file"))
    if lines[0].rstrip() != "---":
        raise DraftError(filename, 1,
                         N_("no front matter: the file must start with a '---' line"))
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise DraftError(filename, 1, N_("unterminated front matter: no closing '---' line"))
    meta = FrontMatter(filename, "\n".join(lines[1:end]))
    number = meta.round()
    opens, closes = meta.window()
    final = meta.flag("final")
    if final and opens is not None:
        meta.fail("consultation", N_("a final round takes no feedback: remove its consultation"))
    code, title = meta.code(default_code), meta.text("title", required=True)
    name, date, visibility, levels = (
        meta.text("name"),
        meta.date(),
        meta.visibility(),
        meta.levels(),
    )
    preamble, provisions = _parse_body(lines, end + 1, levels, filename)
    return ParsedRound(
        code=code, title=title, round=number, name=name or f"Round {number}", date=date,
        final=final, visibility=visibility, opens=opens, closes=closes, levels=levels,
        preamble=preamble, provisions=provisions,
    )  # fmt: skip


def _lines_outside_code(lines: list[str], start: int) -> Iterator[tuple[int, str, bool]]:
    """Yield (index, line, in_code) for each line from `start`, tracking fenced blocks."""
    fence: str | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                yield index, line, True
                continue
            yield index, line, False
        else:
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2).strip()
            ):
                fence = None
            yield index, line, True


def _parse_body(
    lines: list[str], start: int, levels: tuple[str, ...], filename: str
) -> tuple[str, tuple[ParsedProvision, ...]]:
    """Split the Markdown after the front matter into preamble and provisions."""
    headings: list[tuple[int, int, _Heading]] = []  # (line index, depth, heading)
    keys: dict[str, int] = {}
    labels: dict[str, int] = {}
    for index, line, in_code in _lines_outside_code(lines, start):
        match = None if in_code else _HEADING.match(line)
        if in_code or match is None:
            if not in_code:
                _refuse_html(line, filename, index + 1)
            continue
        depth, number = len(match.group(1)), index + 1
        previous = headings[-1][1] if headings else 0
        if depth > len(levels):
            raise DraftError(filename, number,
                             N_("heading depth %(depth)s but only %(levels)s levels are declared"),
                             depth=depth, levels=len(levels))
        if depth > previous + 1:
            raise DraftError(filename, number,
                             N_("heading skips a level (depth %(previous)s to %(depth)s)"),
                             previous=previous, depth=depth)
        heading = _parse_heading(match.group(2) or "", levels, filename, number)
        duplicate = (N_("duplicate key '%(value)s' (first on line %(first)s)"),
                     N_("duplicate label '%(value)s' (first on line %(first)s)"))
        for value, seen, problem in ((heading.key, keys, duplicate[0]),
                                     (heading.label, labels, duplicate[1])):
            if value is not None:
                folded = value.casefold()
                if folded in seen:
                    raise DraftError(filename, number, problem, value=value, first=seen[folded])
                seen[folded] = number
        headings.append((index, depth, heading))
    ends = [index for index, _, _ in headings[1:]] + [len(lines)]
    preamble = _strip_blank(lines[start : headings[0][0] if headings else len(lines)])
    provisions: list[ParsedProvision] = []
    stack: list[ParsedProvision] = []
    for (index, depth, heading), end in zip(headings, ends, strict=True):
        while stack and stack[-1].depth >= depth:
            stack.pop()
        parent = stack[-1] if stack else None
        provision = ParsedProvision(
            index=len(provisions),
            kind=levels[depth - 1],
            depth=depth,
            label=heading.label,
            number=heading.number,
            title=heading.title,
            key=heading.key,
            group=heading.group or (parent.group if parent else None),
            parent=parent.index if parent else None,
            body=_strip_blank(lines[index + 1 : end]),
            line=index + 1,
        )
        provisions.append(provision)
        stack.append(provision)
    return preamble, tuple(provisions)


def _parse_heading(text: str, levels: tuple[str, ...], filename: str, line: int) -> _Heading:
    """Split heading text into label, number, title and the `{#key wg=slug}` attributes."""
    key = group = None
    attrs = _ATTRS.search(text)
    if attrs:
        text = text[: attrs.start()]
        for token in attrs.group(1).split():
            if token.startswith("#") and key is None:
                key = token[1:]
                if not SLUG.match(key):
                    raise DraftError(
                        filename, line, N_("key '%(key)s' is not a slug (a-z, 0-9 and '-')"),
                        key=key,
                    )
            elif token.startswith("wg=") and group is None:
                group = token[3:]
                if not SLUG.match(group):
                    raise DraftError(
                        filename, line,
                        N_("working group '%(group)s' is not a slug (a-z, 0-9 and '-')"),
                        group=group,
                    )
            else:
                raise DraftError(
                    filename,
                    line,
                    N_("unknown or repeated heading attribute '%(token)s' (use #key and "
                       "wg=slug)"),
                    token=token,
                )
    text = _CLOSING_HASHES.sub("", text).strip()
    _refuse_html(text, filename, line)
    if not text:
        raise DraftError(filename, line, N_("heading has an empty title"))
    match = _LABEL.match(text)
    if match and _is_label(match, levels):
        number = match.group("number")
        label = f"{match.group('word')} {number}"
        return _Heading(label, number, (match.group("title") or "").strip(), key, group)
    return _Heading(None, None, text, key, group)


def _is_label(match: re.Match[str], levels: tuple[str, ...]) -> bool:
    """Whether `Word 1.2 ...` is a number label rather than the start of a plain title.

    A word naming a declared level ("Sub-measure" for `submeasure`) or an acronym ("KPI")
    always makes a label. Any other capitalised word does only when ':' or a dash follows
    the number ("Annex II: Forms"), so "Vision 2030" and "What I want" stay plain titles.
    """
    word = match.group("word")
    folded = re.sub(r"[^a-z]", "", word.lower())
    if folded in {re.sub(r"[^a-z]", "", kind) for kind in levels} or _ACRONYM.match(word):
        return True
    separator = match.group("sep") or ""
    return word[0].isupper() and separator.strip() != ""


def _refuse_html(line: str, filename: str, number: int) -> None:
    """Raise when a Markdown line contains raw HTML (code spans and escapes excepted)."""
    if "<" not in line:
        return
    visible = _CODE_SPAN.sub("", line.replace("\\<", ""))
    found = _BLOCK_TAG.match(visible) or _INLINE_TAG.search(visible)
    if found:
        snippet = visible[found.start() : found.start() + 20].strip()
        raise DraftError(filename, number,
                         N_("raw HTML is not allowed ('%(snippet)s'); write Markdown"),
                         snippet=snippet)


def _strip_blank(lines: list[str]) -> str:
    """Join lines, dropping blank lines at either end."""
    first, last = 0, len(lines)
    while first < last and not lines[first].strip():
        first += 1
    while last > first and not lines[last - 1].strip():
        last -= 1
    return "\n".join(lines[first:last])

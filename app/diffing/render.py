"""HTML redlines of word diffs.

Every piece of text is escaped with markupsafe. Inserted and deleted runs carry a visually
hidden marker (class ``sr-only``) so screen readers and printouts say what changed, not only
colour or strike-through. Newlines are kept as they are: the container uses
``white-space: pre-wrap``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from app.diffing.engine import WordDiff, diff_words

_MARKERS = {
    "insert": ("ins", "[inserted: ", "]"),
    "delete": ("del", "[deleted: ", "]"),
}


def _span(kind: str, text: str) -> str:
    if kind == "equal":
        return str(escape(text))
    tag, opening, closing = _MARKERS[kind]
    return (
        f'<{tag}><span class="sr-only">{opening}</span>{escape(text)}'
        f'<span class="sr-only">{closing}</span></{tag}>'
    )


def render_inline(diff: WordDiff) -> Markup:
    """One redline: equal text plain, deletions in ``<del>``, insertions in ``<ins>``."""
    return Markup("".join(_span(kind, text) for kind, text in diff.ops))  # noqa: S704


def render_side_by_side(diff: WordDiff) -> tuple[Markup, Markup]:
    """The old text with its deletions marked, and the new text with its insertions marked."""
    old = "".join(_span(kind, text) for kind, text in diff.ops if kind != "insert")
    new = "".join(_span(kind, text) for kind, text in diff.ops if kind != "delete")
    return Markup(old), Markup(new)  # noqa: S704


def render_proposal(passage: str, proposed: str) -> Markup:
    """A redline of a comment's proposed wording against the passage it quotes."""
    return render_inline(diff_words(passage, proposed))

"""The YAML front matter of a draft file (CONTRACT.md section 1), checked key by key.

Pure, like the parser that uses it: every problem is a `DraftError` naming the file and the
line of the key at fault.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, NoReturn

import yaml

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
KIND_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")
VISIBILITIES = ("internal", "plenary", "public")
ALLOWED_KEYS = frozenset(
    {"code", "title", "round", "name", "date", "final", "visibility", "consultation", "levels"}
)
WINDOW_KEYS = frozenset({"opens", "closes"})


def N_(message: str) -> str:
    """Mark a problem for translation (extracted by `make translations`); it stays English
    here, and the web import page translates it (`template` and `values` of DraftError)."""
    return message


class DraftError(ValueError):
    """A draft file that cannot be imported; `str(e)` is "file:line: problem".

    The problem is an English template with named values (`template % values`), so that the
    secretariat's import page can give it in the reader's language; the command line prints
    it as it is.
    """

    def __init__(self, filename: str, line: int, problem: str, **values: Any) -> None:
        self.template, self.values = problem, values
        problem = problem % values if values else problem
        super().__init__(f"{filename}:{line}: {problem}")
        self.filename = filename
        self.line = line
        self.problem = problem


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader that leaves an impossible date ("2024-13-45") as text for our checks."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class FrontMatter:
    """Front-matter values with the line each key sits on, for error messages."""

    def __init__(self, filename: str, source: str) -> None:
        self.filename = filename
        try:
            data = yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
            node = yaml.compose(source, Loader=_Loader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = mark.line + 2 if mark is not None else 1
            problem = getattr(error, "problem", None) or str(error)
            raise DraftError(filename, line, N_("invalid YAML in front matter: %(reason)s"),
                             reason=problem) from None
        if not isinstance(data, dict):
            raise DraftError(filename, 1, N_("front matter must be a mapping of keys to values"))
        self.data: dict[Any, Any] = data
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        self.lines = {str(key.value): key.start_mark.line + 2 for key, _ in pairs}
        unknown = [str(key) for key in data if key not in ALLOWED_KEYS]  # in file order
        if unknown:
            self.fail(unknown[0], N_("unknown front-matter key(s): %(keys)s"),
                      keys=", ".join(unknown))

    def fail(self, at: str, problem: str, **values: Any) -> NoReturn:
        """Raise `problem` on the line of key `at`."""
        raise DraftError(self.filename, self.lines.get(at, 1), problem, **values)

    def required(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, N_("front matter needs '%(key)s'"), key=key)
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.required(key) if required else self.data.get(key, "")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, N_("'%(key)s' must be a text"), key=key)
        if required and not str(value).strip():
            self.fail(key, N_("'%(key)s' must not be empty"), key=key)
        return str(value).strip()

    def code(self, default: str | None) -> str:
        value = self.required("code", default)
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail("code", N_("code %(value)r is not a slug (a-z, 0-9 and '-')"), value=value)
        return value

    def round(self) -> int:
        value = self.required("round")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail("round", N_("round must be a positive whole number, not %(value)r"),
                      value=value)
        return value

    def levels(self) -> tuple[str, ...]:
        value = self.required("levels")
        if not isinstance(value, list) or not value:
            self.fail("levels", N_("levels must be a non-empty list of kind names"))
        for kind in value:
            if not isinstance(kind, str) or not KIND_NAME.match(kind):
                self.fail("levels", N_("level %(kind)r is not a kind name (a-z, 0-9, '-', '_')"),
                          kind=kind)
        if len(set(value)) != len(value) or len(value) > 6:
            self.fail("levels", N_("levels must be distinct, and at most 6 (heading depths)"))
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, N_("'%(key)s' must be true or false"), key=key)
        return value

    def visibility(self) -> str:
        value = self.data.get("visibility", "internal")
        if value not in VISIBILITIES:
            self.fail("visibility", N_("visibility must be one of %(choices)s"),
                      choices=", ".join(VISIBILITIES))
        return str(value)

    def date(self) -> datetime.date | None:
        value = self.data.get("date")
        if value is None or (
            isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
        ):
            return value
        self.fail("date", N_("date %(value)r is not a date (YYYY-MM-DD)"), value=value)

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        window = self.data.get("consultation")
        if window is None:
            return None, None
        if not isinstance(window, dict) or set(window) - WINDOW_KEYS:
            names = ", ".join(sorted(str(k) for k in window)) if isinstance(window, dict) else ""
            self.fail("consultation",
                      N_("consultation takes 'opens' and 'closes' only, not %(names)s"),
                      names=names)
        opens, closes = self._moment(window, "opens"), self._moment(window, "closes")
        if closes <= opens:
            self.fail("consultation", N_("the consultation must close after it opens"))
        return opens, closes

    def _moment(self, window: dict[Any, Any], key: str) -> datetime.datetime:
        value = window.get(key)
        if isinstance(value, str):
            try:
                value = datetime.datetime.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, datetime.datetime):
            self.fail("consultation", N_("consultation '%(key)s' must be a date and time"),
                      key=key)
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)

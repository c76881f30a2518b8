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


class DraftError(ValueError):
    """A draft file that cannot be imported; `str(e)` is "file:line: problem"."""

    def __init__(self, filename: str, line: int, problem: str) -> None:
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
            raise DraftError(filename, line, f"invalid YAML in front matter: {problem}") from None
        if not isinstance(data, dict):
            raise DraftError(filename, 1, "front matter must be a mapping of keys to values")
        self.data: dict[Any, Any] = data
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        self.lines = {str(key.value): key.start_mark.line + 2 for key, _ in pairs}
        unknown = [str(key) for key in data if key not in ALLOWED_KEYS]  # in file order
        if unknown:
            self.fail(unknown[0], f"unknown front-matter key(s): {', '.join(unknown)}")

    def fail(self, key: str, problem: str) -> NoReturn:
        raise DraftError(self.filename, self.lines.get(key, 1), problem)

    def required(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, f"front matter needs '{key}'")
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.required(key) if required else self.data.get(key, "")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"'{key}' must be a text")
        if required and not str(value).strip():
            self.fail(key, f"'{key}' must not be empty")
        return str(value).strip()

    def code(self, default: str | None) -> str:
        value = self.required("code", default)
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail("code", f"code {value!r} is not a slug (a-z, 0-9 and '-')")
        return value

    def round(self) -> int:
        value = self.required("round")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail("round", f"round must be a positive whole number, not {value!r}")
        return value

    def levels(self) -> tuple[str, ...]:
        value = self.required("levels")
        if not isinstance(value, list) or not value:
            self.fail("levels", "levels must be a non-empty list of kind names")
        for kind in value:
            if not isinstance(kind, str) or not KIND_NAME.match(kind):
                self.fail("levels", f"level {kind!r} is not a kind name (a-z, 0-9, '-', '_')")
        if len(set(value)) != len(value) or len(value) > 6:
            self.fail("levels", "levels must be distinct, and at most 6 (heading depths)")
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false")
        return value

    def visibility(self) -> str:
        value = self.data.get("visibility", "internal")
        if value not in VISIBILITIES:
            self.fail("visibility", f"visibility must be one of {', '.join(VISIBILITIES)}")
        return str(value)

    def date(self) -> datetime.date | None:
        value = self.data.get("date")
        if value is None or (
            isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
        ):
            return value
        self.fail("date", f"date {value!r} is not a date (YYYY-MM-DD)")

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        window = self.data.get("consultation")
        if window is None:
            return None, None
        if not isinstance(window, dict) or set(window) - WINDOW_KEYS:
            names = ", ".join(sorted(str(k) for k in window)) if isinstance(window, dict) else ""
            self.fail("consultation", f"consultation takes 'opens' and 'closes' only, not {names}")
        opens, closes = self._moment(window, "opens"), self._moment(window, "closes")
        if closes <= opens:
            self.fail("consultation", "the consultation must close after it opens")
        return opens, closes

    def _moment(self, window: dict[Any, Any], key: str) -> datetime.datetime:
        value = window.get(key)
        if isinstance(value, str):
            try:
                value = datetime.datetime.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, datetime.datetime):
            self.fail("consultation", f"consultation '{key}' must be a date and time")
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)

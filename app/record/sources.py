"""Where `plenary verify` reads the log: a running instance's API, or the local database."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from app.core.db import db
from app.core.errors import DomainError
from app.record import integrity, services
from app.record.models import LogHead
from app.record.verify import SourceError


class HttpSource:
    """The public API of a running instance (`--url`): what anyone can check."""

    def __init__(self, url: str, timeout: float = 30.0):
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"--url must be an http(s) address, not {url!r}")
        base = url.rstrip("/")
        self.base = base if base.endswith("/api/v1") else base + "/api/v1"
        self.name = self.base
        self.timeout = timeout

    def _get(self, path: str, **params: int) -> Any:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
            url, headers={"Accept": "application/json", "User-Agent": "plenary-verify"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return json.load(answer)
        except urllib.error.HTTPError as error:
            try:
                message = json.load(error).get("error", "")
            except (ValueError, AttributeError):
                message = ""
            raise SourceError(f"{url}: HTTP {error.code} {message}".strip()) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise SourceError(f"{url}: {error}") from None

    def head(self) -> dict[str, Any]:
        return dict(self._get("/log"))

    def keys(self) -> dict[str, Any]:
        return dict(self._get("/log/key"))

    def entries(self, start: int, end: int) -> list[dict[str, Any]]:
        return list(self._get("/log/entries", start=start, end=end)["entries"])

    def inclusion(self, leaf_index: int, tree_size: int) -> list[str]:
        answer = self._get("/log/proof/inclusion", leaf_index=leaf_index, tree_size=tree_size)
        return list(answer["audit_path"])

    def consistency(self, first: int, second: int) -> list[str]:
        return list(
            self._get("/log/proof/consistency", first=first, second=second)["consistency_path"]
        )

    def heads(self) -> list[dict[str, Any]]:
        return []  # the API publishes the latest head; receipts and state files keep others

    def tree_problems(self, size: int) -> list[str]:
        return []

    def record_problems(self) -> list[str]:
        return []


class LocalSource:
    """The database of this installation (inside an app context): besides what the API shows,
    every stored head, the stored subtree table and the records behind the leaves."""

    def __init__(self) -> None:
        bind = db.session.get_bind()  # an Engine, or in tests the suite's Connection
        url = getattr(bind, "url", None) or bind.engine.url
        url = url.render_as_string(hide_password=True)
        self.name = f"local:{url}"

    def _answer(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except (DomainError, services.LogCorrupt) as error:
            raise SourceError(getattr(error, "message", str(error))) from None

    def head(self) -> dict[str, Any]:
        return services.signed_head()

    def keys(self) -> dict[str, Any]:
        return services.keys()

    def entries(self, start: int, end: int) -> list[dict[str, Any]]:
        found = self._answer(services.entries, start, end)
        return [
            {"leaf_index": e.leaf_index, "leaf": e.leaf, "leaf_hash": e.leaf_hash} for e in found
        ]

    def inclusion(self, leaf_index: int, tree_size: int) -> list[str]:
        return list(self._answer(services.inclusion_proof, leaf_index, tree_size))

    def consistency(self, first: int, second: int) -> list[str]:
        return list(self._answer(services.consistency_proof, first, second))

    def heads(self) -> Iterator[dict[str, Any]]:
        query = select(LogHead).order_by(LogHead.tree_size).execution_options(yield_per=1000)
        for head in db.session.scalars(query):
            yield head.as_json()

    def tree_problems(self, size: int) -> list[str]:
        return integrity.node_problems(size)

    def record_problems(self) -> list[str]:
        return integrity.record_problems()

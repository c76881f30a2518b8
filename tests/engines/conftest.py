"""tests/engines/ holds the pure engines' tests: no app, no database. `make test-postgres`
leaves them out (they ran in the SQLite pass and would only repeat it), so a test here that
asks for the database is refused at collection."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents and "database_url" in getattr(
            item, "fixturenames", ()
        ):
            raise pytest.UsageError(
                f"{item.nodeid} uses the database: move it out of tests/engines/, whose tests "
                "run on one database only (docs/development.md)")

"""No N+1: the main pages and API calls issue as many SQL statements for a Code three times
as large (provisions, comments, carries, themes, decisions) as for the small one.

Statements are counted with SQLAlchemy's `before_cursor_execute` event around each request;
a page whose count grows with the data loads something per row, and fails here with both
counts beside its name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from app.accounts.models import User
from app.accounts.services import create_token
from app.core.db import db
from tests.core.scale_story import Scaled, build_scaled

PUBLIC = (
    "/codes/{slug}",
    "/codes/{slug}/rounds/1",
    "/codes/{slug}/rounds/2",
    "/codes/{slug}/rounds/1/provisions/{key}",
    "/codes/{slug}/rounds/2/provisions/{key}",
    "/codes/{slug}/compare?from=1&to=2",
    "/codes/{slug}/provisions/{key}/history?from=1&to=2",
    "/codes/{slug}/rounds/2/changes",
    "/codes/{slug}/rounds/1/register",
    "/codes/{slug}/rounds/1/at-a-glance",
    "/codes/{slug}/search?q=records",
    "/codes/{slug}/feed.atom",
    "/record",
    "/api/v1/codes/{slug}/rounds/1/annotations",
    "/api/v1/codes/{slug}/rounds/2/annotations",
    "/api/v1/codes/{slug}/diff?from=1&to=2",
    "/api/v1/codes/{slug}/rounds/1/register",
    "/api/v1/codes/{slug}/rounds/2/provisions",
    "/api/v1/codes/{slug}/rounds/1/provisions/{key}/comments",
    "/api/v1/codes/{slug}/search?q=records",
)
PARTICIPANT = (
    "/my/feedback",
    "/codes/{slug}/rounds/1/provisions/{key}",
    "/codes/{slug}/rounds/2/provisions/{key}",
    "/codes/{slug}/compare?from=1&to=2",
    "/api/v1/codes/{slug}/rounds/1/annotations",
)
CHAIR = (
    "/chair/synthesis",
    "/chair/codes/{slug}/rounds/1/synthesis",
    "/chair/codes/{slug}/rounds/1/proposals",
    "/chair/runs/{run}",
    "/chair/runs/{run}/themes/{theme}",
    "/codes/{slug}/rounds/1/provisions/{key}",
    "/codes/{slug}/compare?from=1&to=2",
    "/api/v1/codes/{slug}/rounds/1/annotations",
    "/api/v1/codes/{slug}/diff?from=1&to=2",
    "/api/v1/codes/{slug}/rounds/1/synthesis?group=wg1",
)
SECRETARIAT = (
    "/codes/{slug}/rounds/1",
    "/codes/{slug}/rounds/1/provisions/{key}",
    "/codes/{slug}/compare?from=1&to=2",
    "/codes/{slug}/search?q=records",
    "/api/v1/codes/{slug}/rounds/1/annotations",
    "/api/v1/codes/{slug}/diff?from=1&to=2",
)


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _counts(client: Any, auth: Any, scaled: Scaled) -> dict[tuple[str, str], list[str]]:
    fields = {"slug": scaled.slug, "key": scaled.key, "run": scaled.run.id,
              "theme": scaled.theme.id}
    counts: dict[tuple[str, str], list[str]] = {}
    roles = (("public", None, PUBLIC),
             ("participant", scaled.participant.email, PARTICIPANT),
             ("chair", scaled.chair.email, CHAIR),
             ("secretariat", scaled.secretariat.email, SECRETARIAT))
    for role, email, paths in roles:
        headers = {}
        if email is not None:
            user = db.session.scalar(select(User).where(User.email == email))
            _, secret = create_token(user, "counts")
            db.session.commit()
            auth.login(email)
            headers = {"Authorization": f"Bearer {secret}"}
        for template in paths:
            path = template.format(**fields)
            client.get(path, headers=headers)  # warm: caches filled on first use are not N+1
            db.session.remove()  # a fresh session, as each request has outside tests
            with counting() as statements:
                response = client.get(path, headers=headers)
            assert response.status_code == 200, (role, path, response.status_code)
            counts[role, template] = statements
        if email is not None:
            auth.logout()
    return counts


@pytest.mark.slow
def test_no_page_or_api_call_issues_more_statements_for_a_larger_code(
        client: Any, auth: Any, create_user: Any) -> None:
    small = _counts(client, auth, build_scaled(1, create_user))
    large = _counts(client, auth, build_scaled(3, create_user))
    grown = {f"{role} {path}": (len(small[role, path]), len(large[role, path]),
                                _most_repeated(large[role, path]))
             for role, path in small if len(large[role, path]) > len(small[role, path])}
    assert not grown, f"statements grow with the data (1x, 3x, most repeated): {grown}"


def _most_repeated(statements: list[str]) -> str:
    """The statement issued most often (the likely loop), shortened."""
    repeated = Counter(" ".join(s.split())[:300] for s in statements).most_common(1)
    return f"{repeated[0][1]}x {repeated[0][0]}" if repeated else ""

"""schemathesis over /api/v1/openapi.json: no server errors, and every response as documented.

The schema is loaded from the Flask app itself (WSGI, no server), over a database holding a
small public round with a comment. Every operation gets a bounded, reproducible number of
generated cases (valid ones with free and with the seeded round's path parameters, and
invalid ones): once with a secretariat's bearer token and once as the public (no token).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts import services as accounts
from app.core.db import db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def seeded_parameters(operation: Any, seeded: Any) -> dict[str, Any]:
    """Path parameters that reach the seeded round (so that 200 answers get checked too)."""
    known = {"code": "demo-code", "n": 1, "key": "m1", "id": seeded.comment.id}
    names = {p.name for p in operation.path_parameters}
    return {name: value for name, value in known.items() if name in names}


def failures_of(
    operation: Any, headers: dict[str, str], mode: GenerationMode, path_parameters: dict[str, Any]
) -> str | None:
    """Run the generated cases of one operation; the first failure's report, or None."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @SETTINGS
    @given(case=strategy)
    def run(case: Any) -> None:
        # Requests reuse the test's app context: start each from a clean `g`, fresh objects.
        g.__dict__.clear()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            g.__dict__.clear()
            db.session.rollback()
            db.session.expire_all()

    try:
        run()
    except Unsatisfiable:  # nothing of this operation can be made invalid
        return None
    except Exception as error:  # noqa: BLE001 - reported below, operation by operation
        return f"{operation.label} [{mode.value}, {path_parameters or 'free'}]: {error}"
    return None


@pytest.mark.parametrize("who", ["secretariat", "public"])
def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    app: Any, seeded_round: Any, who: str
) -> None:
    headers: dict[str, str] = {}
    if who == "secretariat":
        _, secret = accounts.create_token(seeded_round.secretariat, "schemathesis")
        db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    problems = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            seeded = seeded_parameters(operation, seeded_round)
            variants = ({}, seeded) if seeded and mode is GenerationMode.POSITIVE else ({},)
            for parameters in variants:
                problem = failures_of(operation, headers, mode, parameters)
                if problem:
                    problems.append(problem)
    assert not problems, "\n\n".join(problems)

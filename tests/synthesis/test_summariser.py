"""The optional summariser, against a local stub of an OpenAI-compatible server (a FAKE: no
model server runs here): off by default, only published comments unless the secretariat allows
the scope's private ones, the extractive summary kept when the server fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.core.db import db
from app.synthesis import workspace
from app.synthesis.services import run_synthesis

ANSWER = "Commenters ask for lighter reporting forms for small companies."


class Stub(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    failing = False

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        Stub.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length)),
                              "auth": self.headers.get("Authorization")})
        if Stub.failing:
            self.send_response(500)
            self.end_headers()
            return
        reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": ANSWER}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub(app: Any) -> Iterator[type[Stub]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Stub.requests, Stub.failing = [], False
    app.config.update(PLENARY_SUMMARISER_URL=f"http://127.0.0.1:{server.server_port}/v1",
                      PLENARY_SUMMARISER_MODEL="local-model", PLENARY_SUMMARISER_KEY="k-1")
    yield Stub
    app.config.update(PLENARY_SUMMARISER_URL=None, PLENARY_SUMMARISER_MODEL=None,
                      PLENARY_SUMMARISER_KEY=None)
    server.shutdown()


def publish_the_sme_comments(feedback: Any) -> None:
    for comment in feedback_comments(feedback):
        comment.publish_consent = (comment.external_id or "").startswith("sme")
    db.session.commit()


def sent_texts() -> str:
    return " ".join(r["body"]["messages"][1]["content"] for r in Stub.requests)


def test_the_summariser_is_off_by_default(feedback: Any) -> None:
    run = run_synthesis(feedback["round"], provision="documentation")
    assert all(t.summary_source == "extract" for t in run.themes)


def test_only_published_comments_are_sent_and_the_answer_is_the_summary(
    feedback: Any, stub: Any
) -> None:
    publish_the_sme_comments(feedback)
    published = {c.body for c in feedback_comments(feedback) if c.publish_consent}
    run = run_synthesis(feedback["round"], provision="documentation")
    assert stub.requests and stub.requests[0]["path"] == "/v1/chat/completions"
    assert stub.requests[0]["body"]["model"] == "local-model"
    assert stub.requests[0]["auth"] == "Bearer k-1"
    sent = sent_texts()
    assert published and all(body in sent for body in published)
    assert all(body not in sent for body in {c.body for c in feedback_comments(feedback)}
               - published)
    assert any(t.summary == ANSWER and t.summary_source == "model" for t in run.themes)


def test_the_secretariat_may_allow_a_scopes_private_comments(
    feedback: Any, stub: Any, create_user: Any
) -> None:
    publish_the_sme_comments(feedback)
    first = run_synthesis(feedback["round"], provision="documentation")
    assert all(c.body not in sent_texts() for c in feedback_comments(feedback)
               if not c.publish_consent)
    workspace.allow_private_summaries(first.round, first.scope_key, True,
                                      actor=create_user(role="secretariat"))
    stub.requests.clear()
    run_synthesis(feedback["round"], provision="documentation")
    sent = sent_texts()
    assert any(c.body in sent for c in feedback_comments(feedback) if not c.publish_consent)


def test_a_failing_server_leaves_the_extractive_summary(feedback: Any, stub: Any) -> None:
    publish_the_sme_comments(feedback)
    stub.failing = True
    run = run_synthesis(feedback["round"], provision="documentation")
    assert stub.requests
    assert all(t.summary and t.summary_source == "extract" for t in run.themes)


def feedback_comments(feedback: Any) -> list[Any]:
    from app.feedback.models import Comment

    return list(db.session.query(Comment).filter_by(provision_id=feedback["doc"].id))

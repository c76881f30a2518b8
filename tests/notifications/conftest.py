"""Fixtures of the notification tests: the story code with feedback behind its changes, and a
real SMTP socket (the sink of tests/accounts/test_mail.py)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.test_mail import SmtpSink
from tests.diffing.story import story  # noqa: F401
from tests.diffing.why_story import why  # noqa: F401


@pytest.fixture
def smtp(app: Any) -> Iterator[list[str]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SmtpSink.messages = []
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
    yield SmtpSink.messages
    app.config.update(MAIL_SERVER=None)
    server.shutdown()
    server.server_close()

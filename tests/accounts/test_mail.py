"""With an SMTP server configured, invitation links are mailed instead of shown."""

import socketserver
import threading

import pytest

from app.accounts import services
from app.accounts.services import invite


class SmtpSink(socketserver.StreamRequestHandler):
    """A minimal SMTP server that keeps the messages it receives (a real socket, real smtplib)."""

    messages: list[str] = []

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 sink ready")
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif command == "DATA":
                self.reply("354 end with .")
                body = []
                while (data := self.rfile.readline().decode()).rstrip("\r\n") != ".":
                    body.append(data)
                SmtpSink.messages.append("".join(body))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SmtpSink.messages = []
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
    yield SmtpSink.messages
    app.config.update(MAIL_SERVER=None)
    server.shutdown()


def test_invitation_is_mailed_when_smtp_is_configured(create_user, smtp_server):
    user = create_user("mailme@example.org", password=None)
    invited = invite(user, actor=None)
    assert invited.link is None
    assert len(smtp_server) == 1
    assert "mailme@example.org" in smtp_server[0] and "/invite/" in smtp_server[0]


def test_invitation_link_is_returned_when_no_mail_server(create_user):
    user = create_user("showme@example.org", password=None)
    invited = invite(user, actor=None)
    assert invited.link and "/invite/" in invited.link
    token = invited.link.rsplit("/", 1)[1]
    assert services.invitation_for(token) is not None

"""Sending mail by SMTP when configured (invitation links, notifications), in the
recipient's language."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text mail through the configured SMTP server. Write it in the recipient's
    language: inside `flask_babel.force_locale(language_of(user))` (app/core/i18n.py)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(
        current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"], timeout=10
    ) as smtp:
        smtp.send_message(message)

"""`plenary feedback ...`."""

from __future__ import annotations

from flask.cli import AppGroup

feedback_cli = AppGroup("feedback", help="Import and export feedback.")

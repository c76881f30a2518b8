"""`plenary drafts ...` and `plenary export lineage`."""

from __future__ import annotations

from flask.cli import AppGroup

drafts_cli = AppGroup("drafts", help="Import and inspect drafting rounds.")

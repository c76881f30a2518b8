"""Pages of the record: what the log proves and how to check it, the standalone checking
script, and an author's receipt for each of their comments."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.core.db import db
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.urls import absolute
from app.feedback.models import Comment
from app.feedback.permissions import is_author
from app.record import services
from app.record.events import receipt_for
from app.record.services import LogCorrupt
from app.record.signing import LogKeyMissing

bp = Blueprint("record", __name__)
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_receipt.py"


@bp.record_once
def _refuse_to_start_without_a_key(state: object) -> None:
    """In production the log must sign with the configured key: fail at start-up, not at the
    first comment (LogKeyMissing, a ConfigError)."""
    from app.record.signing import configured_key

    app = state.app  # type: ignore[attr-defined]
    if app.config.get("PLENARY_ENV") == "production":
        configured_key(app.config, app.instance_path)


def _log_url() -> str:
    return absolute("/api/v1")


@bp.route("/record")
def record_page() -> ResponseReturnValue:
    try:
        head, keys = services.signed_head(), services.keys()
    except (LogKeyMissing, LogCorrupt):
        head, keys = None, None
    return render_template(
        "record/record.html",
        head=head,
        keys=keys,
        log_url=_log_url(),
        script=SCRIPT.read_text(encoding="utf-8"),
    )


@bp.route("/record/verify_receipt.py")
def verify_script() -> ResponseReturnValue:
    response = Response(SCRIPT.read_text(encoding="utf-8"), mimetype="text/x-python")
    response.headers["Content-Disposition"] = 'attachment; filename="verify_receipt.py"'
    return response


@bp.route("/record/receipts/<int:comment_id>.json")
@login_required
def comment_receipt(comment_id: int) -> ResponseReturnValue:
    """The receipt of one of the signed-in author's comments (anyone else: 404)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not is_author(current_user, comment):
        raise NotFound(N_("There is no such comment among yours."))
    receipt = receipt_for(comment)
    if receipt is None:
        raise NotFound(N_("This comment is not in the log yet."))
    body = json.dumps({**receipt, "log": _log_url()}, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="plenary-receipt-comment-{comment_id}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response

"""Pages of the notifications domain: the personal page, its settings, and the Atom feed.

The feed is opened by a secret in its URL (feed readers carry no cookies); the account can
regenerate it (the old URL stops working) or revoke it. GETs never write: reading the page
does not mark anything read; "Mark all as read" is a POST.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_login import current_user, login_required

from app.accounts.forms import ActionForm
from app.accounts.permissions import account
from app.core.db import db
from app.core.errors import DomainError, NotFound
from app.core.i18n import N_, language, language_of, translated
from app.core.navigation import MAIN_NAV, NavItem
from app.core.urls import absolute, public_url_for
from app.notifications import services
from app.notifications.forms import SettingsForm
from app.notifications.models import KINDS

bp = Blueprint("notifications", __name__)
ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"


def _nav(user: Any) -> list[NavItem]:
    if account(user) is None:
        return []
    unread = services.unread_count(user)
    label = gettext("Notifications (%(unread)s)", unread=unread) if unread else gettext(
        "Notifications")
    return [NavItem(label, "/my/notifications")]


MAIN_NAV.append(_nav)


@bp.route("/my/notifications")
@login_required
def my_notifications() -> ResponseReturnValue:
    before = request.args.get("before", type=int)
    items = services.notifications_for(current_user, before=before)
    return render_template(
        "notifications/index.html", items=items, form=ActionForm(), kinds=KINDS,
        more=len(items) == services.PAGE_SIZE, email=services.email_mode(current_user),
        mail=bool(current_app.config.get("MAIL_SERVER")))


@bp.route("/my/notifications/read", methods=["POST"])
@login_required
def mark_read() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    db.session.commit()
    flash(gettext("Every notification is marked as read."), "info")
    return redirect(url_for("notifications.my_notifications"))


def _settings_page(form: SettingsForm, status: int = 200, secret: str | None = None) -> Any:
    row = services.settings_of([current_user.id]).get(current_user.id)
    feed_url = public_url_for("notifications.feed", token=secret) if secret else None
    return render_template(
        "notifications/settings.html", form=form, feed=row if row and row.feed_token_hash
        else None, feed_url=feed_url, action=ActionForm(),
        mail=bool(current_app.config.get("MAIL_SERVER"))), status


@bp.route("/my/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    form = SettingsForm()
    if request.method == "GET":
        form.kinds.data = sorted(services.wants(current_user))
        form.email.data = services.email_mode(current_user)
        return _settings_page(form)
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    try:
        services.update_settings(current_user, form.email.data or "", form.kinds.data or [])
    except DomainError as error:
        db.session.rollback()
        flash(translated(error.message), "error")
        return _settings_page(form, error.status)
    db.session.commit()
    flash(gettext("Your notification settings are saved."), "info")
    return redirect(url_for("notifications.settings"))


@bp.route("/my/notifications/feed", methods=["POST"])
@login_required
def new_feed() -> ResponseReturnValue:
    """Create (or regenerate) the secret feed URL; shown once, on this page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    secret = services.new_feed_token(current_user)
    db.session.commit()
    form = SettingsForm(formdata=None, kinds=sorted(services.wants(current_user)),
                        email=services.email_mode(current_user))
    return _settings_page(form, secret=secret)


@bp.route("/my/notifications/feed/revoke", methods=["POST"])
@login_required
def revoke_feed() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    revoked = services.revoke_feed_token(current_user)
    db.session.commit()
    flash(gettext("Your feed URL is revoked: it no longer works.") if revoked
          else gettext("You had no feed URL."), "info")
    return redirect(url_for("notifications.settings"))


def _feed_key(user: Any) -> str:
    """The feed's stable name, which tells nothing of the account (not its id): a keyed hash."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"feed:{user.id}".encode(), hashlib.sha256).hexdigest()[:24]


def _atom(user: Any, items: list[Any]) -> ET.Element:
    """The feed's XML, in the current language (titles and texts of the notifications)."""
    root = ET.Element(f"{{{ATOM}}}feed", {f"{{{XML}}}lang": language()})
    base = absolute("")  # the configured public address, never the Host header
    ET.SubElement(root, f"{{{ATOM}}}id").text = f"urn:plenary:notifications:{_feed_key(user)}"
    ET.SubElement(root, f"{{{ATOM}}}title").text = gettext(
        "Plenary: notifications for %(name)s", name=user.name)
    ET.SubElement(root, f"{{{ATOM}}}updated").text = (
        items[0].created_at if items else user.created_at).isoformat()
    ET.SubElement(root, f"{{{ATOM}}}link", href=f"{base}/my/notifications", rel="alternate")
    ET.SubElement(ET.SubElement(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "Plenary"
    for n in items:
        title = n.shown_title
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}/notifications/{n.id}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = n.created_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}category", term=n.kind)
        if n.url:
            ET.SubElement(entry, f"{{{ATOM}}}link", href=base + n.url, rel="alternate")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = n.shown_body or title
    return root


@bp.route("/notifications/feed/<token>.atom")
def feed(token: str) -> ResponseReturnValue:
    """The account's notifications as Atom (RFC 4287), for the holder of the secret URL."""
    user = services.user_for_feed(token)
    if user is None:
        raise NotFound(N_("This feed does not exist, or its URL was revoked."))
    items = services.notifications_for(user, limit=services.FEED_SIZE)
    with force_locale(language_of(user)):  # feed readers carry no cookie: the account's language
        root = _atom(user, items)
    ET.register_namespace("", ATOM)
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
    return Response(body, mimetype="application/atom+xml", headers=headers)

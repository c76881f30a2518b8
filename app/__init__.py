"""Plenary: a stakeholder consultation and drafting platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, listeners, blueprints and commands."""
    from app.config import load_config

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    _init_extensions(app)
    _register_listeners()
    _register_blueprints(app)
    _register_commands(app)
    return app


def _gettext(message: str) -> str:
    from flask_babel import gettext

    return gettext(message)


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app import models as _models  # noqa: F401  (registers every table)
    from app.accounts.services import load_user
    from app.core.db import db, init_database
    from app.core.extensions import csrf, limiter, login_manager, migrate
    from app.core.http import (
        init_error_handlers,
        init_input_checks,
        init_retry_after,
        init_url_converters,
    )
    from app.core.i18n import N_, init_i18n
    from app.core.security import init_security_headers
    from app.core.tasks import init_tasks

    if app.config.get("PLENARY_ENV") == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    init_database(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    init_retry_after(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_input_checks(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # Flashed in the reader's language (the session keeps the translated text).
    login_manager.login_message = N_("Please log in to see that page.")
    login_manager.localize_callback = _gettext
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    init_i18n(app)
    init_url_converters(app)
    init_error_handlers(app)
    init_security_headers(app)
    init_tasks(app)
    app.context_processor(_template_helpers)
    _chart_globals(app)


def _chart_globals(app: Flask) -> None:
    """What templates/macros/charts.html draws with (globals: macros called from Python see
    no context processor)."""
    from flask_babel import lazy_gettext

    from app.accounts.models import CATEGORY_NAMES
    from app.core import charts
    from app.feedback.accountability import MINIMUM_COUNT, SMALLER
    from app.feedback.models import STANCES
    from app.feedback.names import STANCE_LABELS

    app.jinja_env.globals.update(
        chart_stacked=charts.stacked, chart_scale=charts.shared_scale,
        chart_describe=charts.describe, chart_columns=charts.daily_columns,
        stance_names={stance: STANCE_LABELS.get(stance, stance.capitalize())
                      for stance in STANCES},
        category_names={**CATEGORY_NAMES, SMALLER: lazy_gettext(
            "Smaller groups (under %(minimum)s each)", minimum=MINIMUM_COUNT)},
        small_minimum=MINIMUM_COUNT,
    )


def _template_helpers() -> dict[str, Any]:
    from app.accounts.forms import ActionForm
    from app.accounts.models import group_role_name, role_name
    from app.accounts.permissions import can_manage_platform, is_chair_anywhere
    from app.core.navigation import admin_links, nav_items

    return {
        "action_form": ActionForm,
        "is_secretariat": can_manage_platform,
        "is_chair_anywhere": is_chair_anywhere,
        "nav_items": nav_items,
        "admin_links": admin_links,
        "role_name": role_name,
        "group_role_name": group_role_name,
    }


def _register_listeners() -> None:
    """Each domain's hook listeners (app/core/hooks.py), connected once per process."""
    from app.diffing import listeners as diffing_listeners
    from app.feedback import listeners as feedback_listeners
    from app.notifications import listeners as notification_listeners
    from app.notifications import tasks as _notification_tasks  # noqa: F401  (periodic task)
    from app.record import listeners as record_listeners
    from app.search import listeners as search_listeners
    from app.synthesis import listeners as synthesis_listeners

    feedback_listeners.connect()  # first: comments are carried before anyone is told
    record_listeners.connect()
    search_listeners.connect()
    synthesis_listeners.connect()  # a withdrawn comment leaves the runs that held it
    diffing_listeners.connect()  # the comparisons of a new round, stored at its import
    notification_listeners.connect()


def _register_blueprints(app: Flask) -> None:
    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.api import accountability as _api_accountability  # noqa: F401  (each adds its
    from app.api import diffing as _api_diffing  # noqa: F401  routes to api_bp)
    from app.api import drafting as _api_drafting  # noqa: F401
    from app.api import feedback as _api_feedback  # noqa: F401
    from app.api import record as _api_record  # noqa: F401
    from app.api import routes as _api_routes  # noqa: F401
    from app.api import search as _api_search  # noqa: F401
    from app.api import synthesis as _api_synthesis  # noqa: F401
    from app.api.blueprint import bp as api_bp
    from app.core.extensions import csrf
    from app.diffing import feeds as _feeds  # noqa: F401  (adds the feeds to diffing_bp)
    from app.diffing import routes as _diffing_routes  # noqa: F401
    from app.diffing.blueprint import bp as diffing_bp
    from app.drafting import admin as _drafting_admin  # noqa: F401  (adds its pages to bp)
    from app.drafting import routes as _drafting_routes  # noqa: F401
    from app.drafting.blueprint import bp as drafting_bp
    from app.feedback.routes import bp as feedback_bp
    from app.notifications.routes import bp as notifications_bp
    from app.public.routes import bp as public_bp
    from app.record.routes import bp as record_bp
    from app.search.routes import bp as search_bp
    from app.synthesis import fates as _fates  # noqa: F401  (a comment's answered theme)
    from app.synthesis import proposals as _proposals  # noqa: F401  (each adds its routes
    from app.synthesis import public_pages as _public_pages  # noqa: F401  to synthesis_bp)
    from app.synthesis import routes as _synthesis_routes  # noqa: F401
    from app.synthesis import theme_pages as _theme_pages  # noqa: F401
    from app.synthesis.blueprint import bp as synthesis_bp

    csrf.exempt(api_bp)
    for blueprint in (public_bp, accounts_bp, admin_bp, api_bp, drafting_bp, diffing_bp,
                      feedback_bp, synthesis_bp, record_bp, search_bp,
                      notifications_bp):  # fmt: skip
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    """Each domain's command group or command (see the domain's cli.py)."""
    from app.accounts.cli import groups_cli, tokens_cli, users_cli
    from app.core.cli import export_cli
    from app.demo import demo_command
    from app.drafting.cli import drafts_cli
    from app.feedback.cli import feedback_cli
    from app.record.cli import log_cli, verify_cli
    from app.search.cli import search_cli
    from app.synthesis.cli import synthesise_command, worker_command

    for command in (users_cli, tokens_cli, groups_cli, drafts_cli, feedback_cli,
                    synthesise_command, worker_command, export_cli, search_cli, demo_command,
                    verify_cli, log_cli):  # fmt: skip
        app.cli.add_command(command)

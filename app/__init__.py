"""Plenary: a stakeholder consultation and drafting platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and commands."""
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


def _register_listeners() -> None:
    """Each domain's hook listeners (app/core/hooks.py), connected once per process."""
    from app.feedback import listeners as feedback_listeners
    from app.record import listeners as record_listeners

    feedback_listeners.connect()
    record_listeners.connect()


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app import models as _models  # noqa: F401  (registers every table)
    from app.accounts.models import User
    from app.core.db import configure_sqlite, db, sqlite_write_intent
    from app.core.extensions import csrf, limiter, login_manager, migrate
    from app.core.http import init_error_handlers, init_url_converters
    from app.core.security import init_security_headers
    from app.core.tasks import init_tasks

    if app.config.get("PLENARY_ENV") == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(login_id: str) -> User | None:
        user_id, _, version = login_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user

    @app.before_request
    def _read_only_requests_read_deferred() -> None:
        sqlite_write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _later_work_writes_immediate_again(_error: BaseException | None) -> None:
        # The flag lives in the thread's context, not the request's: left False after a GET,
        # a task, a CLI command or the next test in this thread would begin DEFERRED.
        sqlite_write_intent.set(True)

    init_url_converters(app)
    init_error_handlers(app)
    init_security_headers(app)
    init_tasks(app)

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        from app.accounts.forms import ActionForm
        from app.accounts.permissions import can_manage_platform, is_chair_anywhere
        from app.core.navigation import admin_links, nav_items

        return {
            "action_form": ActionForm,
            "is_secretariat": can_manage_platform,
            "is_chair_anywhere": is_chair_anywhere,
            "nav_items": nav_items,
            "admin_links": admin_links,
        }


def _register_blueprints(app: Flask) -> None:
    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.api import routes as _api_routes  # noqa: F401  (registers the API's own routes)
    from app.api.blueprint import bp as api_bp
    from app.core.extensions import csrf
    from app.public.routes import bp as public_bp

    for module in _domain_modules():
        __import__(module)
    csrf.exempt(api_bp)
    for blueprint in (public_bp, accounts_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
    for blueprint in _domain_blueprints():
        app.register_blueprint(blueprint)


def _domain_modules() -> list[str]:
    """Modules that add routes to shared blueprints (the API) when imported."""
    return ["app.api.drafting", "app.api.diffing", "app.api.feedback", "app.api.synthesis",
            "app.api.record"]  # fmt: skip


def _domain_blueprints() -> list[Any]:
    from app.diffing.routes import bp as diffing_bp
    from app.drafting.routes import bp as drafting_bp
    from app.feedback.routes import bp as feedback_bp
    from app.record.routes import bp as record_bp
    from app.synthesis.routes import bp as synthesis_bp

    return [drafting_bp, diffing_bp, feedback_bp, synthesis_bp, record_bp]


def _register_commands(app: Flask) -> None:
    from app.cli import register_commands
    from app.record.cli import register_record_commands

    register_commands(app)
    register_record_commands(app)

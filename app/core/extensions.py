"""Flask extensions, created unbound and initialised in create_app."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect


def client_address() -> str:
    """The caller's address (the proxy in front is trusted through ProxyFix, not here)."""
    return request.remote_addr or "unknown"


login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
limiter = Limiter(key_func=client_address, headers_enabled=True, swallow_errors=True,
                  in_memory_fallback_enabled=True)

"""The WSGI entry point: `gunicorn wsgi:app`."""

from app import create_app
from app.core.process import freeze_startup_heap

app = create_app()
freeze_startup_heap()

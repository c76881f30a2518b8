"""The Alembic revisions build exactly the schema the models describe, on both databases."""


from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import config_for_tests
from app.core.db import db
from app.search.models import include_in_schema


def schema_differences(app):
    # SQLite's FTS5 table of the search index and its shadow tables are made by SQL that the
    # models cannot describe (see app/search/models.py); the comparison leaves them out, and
    # tests/search/test_migration.py checks them.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_schema})
        return compare_metadata(context, db.metadata)


def test_migrations_build_exactly_the_models_schema(fresh_database_url):
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []
    with app.app_context():
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_up_again(fresh_database_url):
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
    assert schema_differences(app) == []
    with app.app_context():
        db.engine.dispose()

"""`flask db upgrade` from an empty database gives exactly the models' schema (SQLite and PostgreSQL)."""

import os
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.core.models import include_in_autogenerate
from app.extensions import db
from tests.conftest import make_config


@pytest.fixture
def empty_database_url(database_url, tmp_path, worker_name):
    """A database with nothing in it, of the backend under test."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin_url = make_url(os.environ["TEST_DATABASE_URL"])
    name = re.sub(r"\W", "_", f"ipex_migrations_{worker_name}_{os.getpid()}")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_name": include_in_autogenerate},
            )
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {table.name for table in db.metadata.sorted_tables} <= tables


def test_migrations_have_a_single_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "migrations")
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1

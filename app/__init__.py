"""IPEX: IP value-assessment and trading marketplace."""

import os

from flask import Flask

from app.core.converters import register_converters
from app.core.secret_key import configure_secret_key
from config import Config, ProductionConfig, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI."""
    config_class = config_class or config_from_env()
    if issubclass(config_class, ProductionConfig):
        config_class.check()
    # IPEX_INSTANCE_PATH moves the instance folder (database, secret key) out of the source tree.
    app = Flask(__name__, instance_relative_config=True, instance_path=os.environ.get("IPEX_INSTANCE_PATH"))
    app.config.from_object(config_class)
    configure_secret_key(app, required=app.config["SECRET_KEY_REQUIRED"])
    configure_database_url(app)
    register_converters(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_request_hooks(app)
    configure_cli(app)
    return app


def configure_database_url(app: Flask) -> None:
    """Default to a SQLite file in the instance folder: the embedded, key-free setup."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        from pathlib import Path

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'ipex.db'}"


def configure_extensions(app: Flask) -> None:
    from app.core import database  # noqa: F401  (SQLite connection settings)
    from app.core.i18n import init_i18n
    from app.core.mail import init_mail
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_mail(app)
    from app import models  # noqa: F401  (register every model on the metadata)


# Each capability package exposes register(app): blueprints, navigation, seed steps, CLI.
CAPABILITIES = (
    "app.core",
    "app.accounts",
    "app.catalogue",
    "app.valuation",
    "app.market",
    "app.payments",
    "app.matching",
)


def configure_blueprints(app: Flask) -> None:
    from importlib import import_module

    from app.api import register as register_api
    from app.core.errors import register_error_handlers
    from app.main import bp as main_bp

    app.register_blueprint(main_bp)
    for name in CAPABILITIES:
        import_module(name).register(app)
    register_api(app)
    register_error_handlers(app)


def configure_request_hooks(app: Flask) -> None:
    from app.core.http import add_cache_control, reject_unreadable_json
    from app.core.page_cache import init_page_cache
    from app.core.security import add_security_headers, keep_csrf_token, reuse_csrf_token
    from app.core.templating import init_templating

    app.before_request(reject_unreadable_json)
    app.before_request(reuse_csrf_token)
    app.after_request(add_security_headers)
    app.after_request(keep_csrf_token)
    app.after_request(add_cache_control)
    init_templating(app)
    init_page_cache(app)


def configure_cli(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.core.seed import seed_demo_command

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)

"""Flask extensions, created unbound and wired in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core.models import include_in_autogenerate, render_migration_item

# Constraint names must be deterministic so Alembic can alter them, on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IpexApi(Api):
    """flask-smorest Api whose errors go through the app's own handlers (one JSON error shape)."""

    def _register_error_handlers(self) -> None:
        """The app registers its handlers in app.core.errors for HTML and JSON alike."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate(
    compare_type=True,
    render_as_batch=True,
    render_item=render_migration_item,
    include_name=include_in_autogenerate,
)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = IpexApi()

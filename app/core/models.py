"""Shared model helpers: UTC timestamps and mixins."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import clock


def utcnow() -> datetime:
    """Timezone-aware now in UTC from the injectable clock: the only clock models should use."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def render_migration_item(type_: str, obj, autogen_context):
    """Let autogenerate write our column types as plain SQLAlchemy types in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Tables built by hand-written DDL (e.g. SQLite FTS5 virtual tables, whose shadow tables are named
# <table>_data, _idx, _content, _docsize, _config). Autogenerate must neither drop nor compare them.
UNMANAGED_TABLES: set[str] = set()
FTS5_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")


def is_unmanaged_table(name: str) -> bool:
    return name in UNMANAGED_TABLES or any(
        name.endswith(suffix) and name.removesuffix(suffix) in UNMANAGED_TABLES
        for suffix in FTS5_SHADOW_SUFFIXES
    )


def include_in_autogenerate(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic include_name hook: leave hand-built tables alone."""
    return not (type_ == "table" and name and is_unmanaged_table(name))

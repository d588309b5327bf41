"""Flask-Login wiring: session users and bearer-token users."""

from functools import cache

from flask import Request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.services import user_for_token
from app.core.notifications import remember_unread, unread_count_column
from app.core.page_cache import data_version
from app.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


MAX_COLUMN_INTEGER = 2**31 - 1  # users.id and session_generation are PostgreSQL "integer" columns


def _parse_identity(identity: str) -> tuple[int, int] | None:
    """User.get_id()'s "<id>:<generation>"; anything else (an old bare id too) is no identity."""
    user_id, _sep, generation = identity.partition(":")
    parts = (user_id, generation)
    if not all(part.isascii() and part.isdigit() and len(part) <= 10 for part in parts):
        return None
    numbers = int(user_id), int(generation)
    return numbers if max(numbers) <= MAX_COLUMN_INTEGER else None


@cache
def _user_statement():
    """Built once: constructing the statement costs more than running it."""
    return (
        select(User, unread_count_column(User.id))
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.organisation), joinedload(User.role_grants))
    )


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The session's (or remember cookie's) user, unless that session generation has ended."""
    parsed = _parse_identity(identity)
    if parsed is None:
        return None
    # One statement for what every page shows of the user: roles, organisation, unread count.
    version = data_version()
    row = db.session.execute(_user_statement(), {"user_id": parsed[0]}).unique().first()
    if row is None:
        return None
    user, unread = row
    if not user.active or user.session_generation != parsed[1]:
        return None
    remember_unread(user, unread, version)
    return user


@login_manager.request_loader
def load_user_from_token(request: Request) -> User | None:
    """`Authorization: Bearer ipex_...` authenticates API calls without a session."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = user_for_token(token.strip())
    if user is not None and db.session.dirty:
        _commit_token_use()
    return user


def _commit_token_use() -> None:
    """Keep last_used_at even if the request later fails; it is advisory, so a busy database skips it."""
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()

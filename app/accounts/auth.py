"""Flask-Login wiring: session users and bearer-token users."""

from functools import cache

from flask import Request, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import Organisation, User, UserRole
from app.accounts.services import user_for_token
from app.core.notifications import remember_unread, unread_count_column
from app.core.page_cache import SizedMemo, data_version, session_has_written
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
    version = data_version()
    found = _remembered_user(parsed[0], version)
    if found is None:
        # One statement for what every page shows of the user: roles, organisation, unread count.
        row = db.session.execute(_user_statement(), {"user_id": parsed[0]}).unique().first()
        if row is None:
            return None
        found = row
        _remember_user(parsed[0], version, *row)
    user, unread = found
    if not user.active or user.session_generation != parsed[1]:
        return None
    remember_unread(user, unread, version)
    return user


# ---- the signed-in user without a statement ---------------------------------------------------------
# Every signed-in page loads its user with roles, organisation and unread count; between two writes
# that row cannot change, so each process keeps its plain column values per data version and user id
# (the same key as every memo: any committed write moves the version) and rebuilds the ORM objects
# from them into the request's session as if a query had loaded them. Only the user's own row is
# ever put back, under the id the session named; the generation and active checks run as before.

USER_FACTS_ENTRIES = 4096  # one small tuple per recently active user
_USER_FACTS = SizedMemo(USER_FACTS_ENTRIES)  # each entry counts 1


@cache
def _column_keys(model: type) -> tuple[str, ...]:
    return tuple(column.key for column in inspect(model).column_attrs)


def _values(obj: object) -> dict:
    loaded = obj.__dict__
    return {key: loaded[key] for key in _column_keys(type(obj)) if key in loaded}


def _facts_key(user_id: int, version: str) -> tuple | None:
    if session_has_written():  # the transaction's own changes are not what the version names
        return None
    return (current_app.instance_path, str(db.engine.url), version, user_id)


def _remember_user(user_id: int, version: str, user: User, unread: int) -> None:
    key = _facts_key(user_id, version)
    if key is None:
        return
    organisation = user.__dict__.get("organisation")
    facts = (
        _values(user),
        None if organisation is None else _values(organisation),
        tuple(_values(grant) for grant in user.__dict__.get("role_grants", ())),
        unread,
    )
    _USER_FACTS.put(key, facts, 1)


def _remembered_user(user_id: int, version: str) -> tuple[User, int] | None:
    """The user rebuilt from the values kept at this data version, or None (then query)."""
    key = _facts_key(user_id, version)
    if key is None:
        return None
    found, facts = _USER_FACTS.get(key)
    if not found:
        return None
    session = db.session()
    user_values, organisation_values, grant_values, unread = facts
    if session.identity_map.get(inspect(User).identity_key_from_primary_key((user_id,))) is not None:
        return None  # already in this session (loaded by something else): let the query refresh it
    user = _persistent(User, user_values)
    organisation = (
        None if organisation_values is None else _in_session(session, Organisation, organisation_values)
    )
    set_committed_value(user, "organisation", organisation)
    set_committed_value(
        user, "role_grants", [_in_session(session, UserRole, values) for values in grant_values]
    )
    session.add(user)  # and, by cascade, its organisation and grants
    return user, unread


def _persistent(model: type, values: dict):
    """An instance as a query would have loaded it: committed values, nothing to flush."""
    obj = inspect(model).class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


def _in_session(session, model: type, values: dict):
    existing = session.identity_map.get(inspect(model).identity_key_from_primary_key((values["id"],)))
    return existing if existing is not None else _persistent(model, values)


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

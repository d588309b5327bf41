"""The platform's own user: the explicit actor of work nobody clicked (ticks, expiries, seeds).

It is created by the core migration (and by ``ensure_system_actor`` for the seed and for test
databases built with ``create_all``); ``system_actor()`` only looks it up, so a GET never writes.
It cannot log in: it is inactive and its password hash matches no password.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db

SYSTEM_EMAIL = "system@ipex.internal"
SYSTEM_NAME = "IPEX 平台 (system)"
UNUSABLE_PASSWORD_HASH = "!"  # noqa: S105  (no password verifies against it)


class SystemActorMissing(RuntimeError):
    """The database was not migrated: run ``flask db upgrade`` (or ``flask seed-demo``)."""


def system_actor():
    """The platform's User row; raises SystemActorMissing on an unmigrated database."""
    from app.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        raise SystemActorMissing(f"no user {SYSTEM_EMAIL}: run flask db upgrade")
    return user


def ensure_system_actor():
    """Create the platform's user if missing (flushes); for the seed and test databases."""
    from app.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(
            email=SYSTEM_EMAIL, password_hash=UNUSABLE_PASSWORD_HASH, display_name=SYSTEM_NAME, active=False
        )
        db.session.add(user)
        db.session.flush()
    return user


def is_system(user) -> bool:
    return getattr(user, "email", None) == SYSTEM_EMAIL

"""Password hashing with Argon2id, and the strength rules users must meet."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
# The most common passwords of breach lists that still meet the length rule.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "qwertyuiop",
        "password12",
        "password123",
        "1q2w3e4r5t",
        "iloveyou12",
        "qwerty1234",
        "abc1234567",
        "a123456789",
        "1qaz2wsx3edc",
        "passw0rd12",
        "admin12345",
    }
)

_full_cost = PasswordHasher()
# Tests hash hundreds of passwords; a cheap Argon2id keeps them fast without changing code paths.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _full_cost


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a password is too weak (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        problems.append(str(_l("Mix letters and digits.")))
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if lowered in COMMON_PASSWORDS or (local_part and len(local_part) >= 4 and local_part in lowered):
        problems.append(str(_l("This password is too easy to guess.")))
    return problems

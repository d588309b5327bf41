"""Account verbs: register, authenticate, roles, verification, tokens. They flush; the request commits."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import (
    SELF_SERVICE_ROLES,
    ApiToken,
    AuditEvent,
    Organisation,
    Role,
    User,
    UserRole,
)
from app.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.accounts.tokens import user_for_reset_token, user_for_verification_token
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.models import utcnow
from app.extensions import db


class InvalidField(DomainError):
    """A value the form or the API should not have let through; fields names each one."""

    status_code = 422


TOKEN_PREFIX = "ipex_"  # noqa: S105  (a label, not a secret)


def record_audit(
    actor: User | None, action: str, subject_type: str, subject_id: int | None, **details
) -> None:
    """Append one audit event; every administrative change goes through here."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
        )
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass(frozen=True)
class Registration:
    """What registering did: a new account, or nothing because the address already had one.

    The caller answers both the same way and mails the address's owner, so registering never
    reveals which addresses have accounts.
    """

    user: User | None
    existing: User | None


def register_user(
    email: str,
    password: str,
    display_name: str,
    roles: list[Role] | tuple[Role, ...],
    organisation_name: str = "",
    locale: str | None = None,
) -> Registration:
    """Create an account with self-service roles only; assessor and admin come from an admin."""
    email = normalise_email(email)
    if problems := password_problems(password, email):
        raise DomainError(_("The password is too weak."), {"password": " ".join(problems)})
    if not roles or any(role not in SELF_SERVICE_ROLES for role in roles):
        raise DomainError(_("Choose rights-holder, buyer or both."), {"roles": _("Not allowed.")})
    password_hash = hash_password(password)  # also for a taken address: the same work, the same time
    if existing := find_user_by_email(email):
        record_audit(None, "user.register_taken", "user", existing.id)
        return Registration(user=None, existing=existing)
    organisation = Organisation(name=organisation_name.strip()) if organisation_name.strip() else None
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=display_name.strip(),
        organisation=organisation,
        locale=locale,
    )
    user.role_grants = [UserRole(role=role.value) for role in roles]
    db.session.add(user)
    db.session.flush()
    record_audit(user, "user.register", "user", user.id, roles=sorted(r.value for r in roles))
    return Registration(user=user, existing=None)


@cache
def _dummy_hash(cost_key: str) -> str:
    """A hash to check unknown e-mails against, so they take as long as wrong passwords."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; upgrades an old hash on success."""
    from flask import current_app

    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(str(current_app.config.get("PASSWORD_HASH_FAST"))), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of this user (they carry the old generation)."""
    user.session_generation += 1


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end the user's other sessions; the caller logs this one in again."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("The current password is wrong."), {"current_password": _("Wrong password.")})
    if problems := password_problems(new_password, user.email):
        raise DomainError(_("The password is too weak."), {"new_password": " ".join(problems)})
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    record_audit(user, "user.password_change", "user", user.id)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link (and every session) stops working."""
    user = user_for_reset_token(token)
    if problems := password_problems(new_password, user.email):
        raise DomainError(_("The password is too weak."), {"password": " ".join(problems)})
    user.password_hash = hash_password(new_password)
    if user.email_verified_at is None:  # the link reached this mailbox: the address is theirs
        user.email_verified_at = utcnow()
    end_sessions(user)
    record_audit(user, "user.password_reset", "user", user.id)
    return user


def active_user_for_reset(email: str) -> User | None:
    """Whom to send a reset link to; the caller answers the same way when there is nobody."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    record_audit(user, "user.password_reset_request", "user", user.id)
    return user


def verify_email(token: str) -> User:
    """Confirm the address a verification link was sent to; repeating it changes nothing."""
    user = user_for_verification_token(token)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record_audit(user, "user.email_verify", "user", user.id)
    return user


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def update_profile(user: User, changes: dict) -> None:
    """Change display name, language or time zone (only the keys given); the form and API share it."""
    if "timezone" in changes and changes["timezone"] not in _time_zones():
        raise InvalidField(
            _("Choose a time zone from the list."), {"timezone": _("Unknown time zone, e.g. Asia/Shanghai.")}
        )
    if "locale" in changes and changes["locale"] not in (None, "zh", "en"):
        raise InvalidField(_("Choose a language from the list."), {"locale": _("Not a supported language.")})
    if "display_name" in changes:
        name = (changes["display_name"] or "").strip()
        if not name:
            raise InvalidField(_("Enter a display name."), {"display_name": _("This field is required.")})
        user.display_name = name
    if "locale" in changes:
        user.locale = changes["locale"]
    if "timezone" in changes:
        user.timezone = changes["timezone"]


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only administrators can do that."))


def _active_admin_count() -> int:
    return db.session.scalar(
        select(func.count(UserRole.id))
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
    )


def grant_role(actor: User, user: User, role: Role) -> None:
    _require_admin(actor)
    if user.has_role(role):
        return
    user.role_grants.append(UserRole(role=role.value, granted_by_id=actor.id))
    record_audit(actor, "role.grant", "user", user.id, role=role.value)


def revoke_role(actor: User, user: User, role: Role) -> None:
    _require_admin(actor)
    if role == Role.ADMIN and user.has_role(Role.ADMIN) and _active_admin_count() <= 1:
        raise Conflict(_("The last administrator cannot lose the administrator role."))
    user.role_grants = [grant for grant in user.role_grants if grant.role != role.value]
    record_audit(actor, "role.revoke", "user", user.id, role=role.value)


def set_user_active(actor: User, user: User, active: bool, reason: str = "") -> None:
    """Deactivate (or reactivate) an account; the last active admin cannot be switched off."""
    _require_admin(actor)
    if not active and user.has_role(Role.ADMIN) and _active_admin_count() <= 1:
        raise Conflict(_("The last administrator cannot be deactivated."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions(user)
    record_audit(actor, "user.activate" if active else "user.deactivate", "user", user.id, reason=reason)


def create_admin(email: str, password: str, display_name: str) -> User:
    """The first administrator, from the command line."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Conflict(_("An account with this email already exists."))
    if problems := password_problems(password, email):
        raise DomainError(" ".join(problems))
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        email_verified_at=utcnow(),  # the operator at the console vouches for the address
    )
    user.role_grants = [UserRole(role=Role.ADMIN.value)]
    db.session.add(user)
    db.session.flush()
    record_audit(None, "user.create_admin", "user", user.id)
    return user


def _hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the plaintext is returned once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=plaintext[:12], token_hash=_hash_token(plaintext))
    db.session.add(token)
    db.session.flush()
    record_audit(user, "token.create", "api_token", token.id, name=token.name)
    return token, plaintext


def revoke_api_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit(user, "token.revoke", "api_token", token.id)


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def user_for_token(plaintext: str) -> User | None:
    """The active user owning this active token, or None."""
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _hash_token(plaintext))
        .options(joinedload(ApiToken.user).joinedload(User.organisation))  # one query for all three
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Coarse on purpose: one write a minute per token, not one per call, so busy API clients do not
    # queue on the database's write lock just to say they were here.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return token.user

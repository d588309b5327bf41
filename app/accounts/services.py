"""Account verbs: register, authenticate, roles, verification, tokens. They flush; the request commits."""

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

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
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.models import utcnow
from app.extensions import db

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


def register_user(
    email: str,
    password: str,
    display_name: str,
    roles: list[Role] | tuple[Role, ...],
    organisation_name: str = "",
) -> User:
    """Create an account with self-service roles only; assessor and admin come from an admin."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Conflict(_("An account with this email already exists."), {"email": _("Already registered.")})
    if problems := password_problems(password, email):
        raise DomainError(_("The password is too weak."), {"password": " ".join(problems)})
    if not roles or any(role not in SELF_SERVICE_ROLES for role in roles):
        raise DomainError(_("Choose rights-holder, buyer or both."), {"roles": _("Not allowed.")})
    organisation = Organisation(name=organisation_name.strip()) if organisation_name.strip() else None
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        organisation=organisation,
    )
    user.role_grants = [UserRole(role=role.value) for role in roles]
    db.session.add(user)
    db.session.flush()
    record_audit(user, "user.register", "user", user.id, roles=sorted(r.value for r in roles))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; upgrades an old hash on success."""
    user = find_user_by_email(email)
    if user is None or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("The current password is wrong."), {"current_password": _("Wrong password.")})
    if problems := password_problems(new_password, user.email):
        raise DomainError(_("The password is too weak."), {"new_password": " ".join(problems)})
    user.password_hash = hash_password(new_password)
    record_audit(user, "user.password_change", "user", user.id)


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
    record_audit(actor, "user.activate" if active else "user.deactivate", "user", user.id, reason=reason)


def set_organisation_verified(
    actor: User, organisation: Organisation, verified: bool, note: str = ""
) -> None:
    _require_admin(actor)
    if organisation.is_verified == verified:
        return
    organisation.verified_at = utcnow() if verified else None
    action = "organisation.verify" if verified else "organisation.unverify"
    record_audit(actor, action, "organisation", organisation.id, note=note, name=organisation.name)


def create_admin(email: str, password: str, display_name: str) -> User:
    """The first administrator, from the command line."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Conflict(_("An account with this email already exists."))
    if problems := password_problems(password, email):
        raise DomainError(" ".join(problems))
    user = User(email=email, password_hash=hash_password(password), display_name=display_name)
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


def user_for_token(plaintext: str) -> User | None:
    """The active user owning this active token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user

"""Users, organisations, roles, API tokens and the audit trail of account changes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db


class Role(StrEnum):
    RIGHTS_HOLDER = "rights_holder"  # lists patents and projects, takes offers
    BUYER = "buyer"  # searches, posts needs, makes offers and bids
    ASSESSOR = "assessor"  # tunes valuation models, signs valuations off; granted by an admin
    ADMIN = "admin"  # verifies users, moderates; granted by an admin


SELF_SERVICE_ROLES = (Role.RIGHTS_HOLDER, Role.BUYER)


class OrganisationReview(StrEnum):
    """Where an organisation's verification papers stand."""

    NOT_SUBMITTED = "not_submitted"  # no business licence uploaded yet
    SUBMITTED = "submitted"  # licence and credit code uploaded, waiting for an administrator
    VERIFIED = "verified"  # an administrator approved the papers: the verified badge
    REJECTED = "rejected"  # an administrator refused the papers; rejection_reason says why


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Set when an administrator has checked the organisation's papers; bidding and listing need it.
    # Who verified it is in the audit log (action "organisation.verify").
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_status: Mapped[str] = mapped_column(
        String(20), default=OrganisationReview.NOT_SUBMITTED, server_default=OrganisationReview.NOT_SUBMITTED
    )
    # 统一社会信用代码 (unified social credit code, GB 32100-2015), checked by its check digit.
    credit_code: Mapped[str | None] = mapped_column(String(18))
    # The business licence file, kept under the instance folder (never under static/): its stored
    # name there, the name it was uploaded with, its detected type, and when it came.
    licence_file: Mapped[str | None] = mapped_column(String(80))
    licence_filename: Mapped[str | None] = mapped_column(String(200))
    licence_content_type: Mapped[str | None] = mapped_column(String(40))
    licence_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(String(500))

    members: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id"
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


@lru_cache(maxsize=64)
def _role_set(values: tuple[str, ...]) -> frozenset[Role]:
    """The roles granted, as a set: built once per combination (asked for on every menu entry)."""
    return frozenset(Role(value) for value in values)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    locale: Mapped[str | None] = mapped_column(String(8))  # preferred UI language, None = browser's
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    active: Mapped[bool] = mapped_column(default=True)  # False: deactivated by an administrator
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the owner opened the link mailed to this address; trading needs it.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of every session and remember-me cookie; bumping it (logout, password change or reset,
    # deactivation) ends all of them at once.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="members", foreign_keys=[organisation_id]
    )
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="UserRole.user_id",
        lazy="selectin",
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and on load
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session and remember-me identity: stale once the generation moves on."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def roles(self) -> frozenset[Role]:
        return _role_set(tuple(grant.role for grant in self.role_grants))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_verified(self) -> bool:
        """A verified organisation (or, for individuals, nothing yet): the badge for trading."""
        return bool(self.organisation and self.organisation.is_verified)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


class ApiToken(db.Model):
    """A personal API token: only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise the token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(db.Model):
    """Append-only record of administrative and security-relevant changes: who, when, what."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "role.grant"
    subject_type: Mapped[str] = mapped_column(String(40))  # e.g. "user", "organisation"
    subject_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

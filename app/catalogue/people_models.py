"""Innovation projects, experts, and the change history of every catalogue record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_authenticated
from app.catalogue.patent_models import MODERATION_STATUSES, ModerationMixin, Patent, _in
from app.catalogue.records import CONTACT_POLICIES, EXPERT_AVAILABILITY, FEE_UNITS, PROJECT_STAGES
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db

project_patents = Table(
    "project_patents",
    db.metadata,
    Column("project_id", ForeignKey("innovation_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class InnovationProject(ModerationMixin, TimestampMixin, db.Model):
    __tablename__ = "innovation_projects"
    __table_args__ = (
        UniqueConstraint("owner_id", "reference"),
        CheckConstraint("funding_amount IS NULL OR funding_amount >= 0", name="funding_amount_not_negative"),
        CheckConstraint("funding_amount IS NULL OR funding_currency IS NOT NULL", name="funding_currency"),
        CheckConstraint("trl IS NULL OR (trl >= 1 AND trl <= 9)", name="trl"),
        CheckConstraint(f"stage IS NULL OR {_in('stage', PROJECT_STAGES)}", name="stage"),
        CheckConstraint(_in("contact_policy", CONTACT_POLICIES), name="contact_policy"),
        CheckConstraint(_in("moderation_status", MODERATION_STATUSES), name="moderation_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))  # the owner's own id; idempotency key per owner
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_zh: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(100), index=True)
    trl: Mapped[int | None]  # technology readiness level 1..9
    stage: Mapped[str | None] = mapped_column(String(20), index=True)  # one of PROJECT_STAGES
    seeking: Mapped[list[str]] = mapped_column(JSON, default=list)  # subset of PROJECT_SEEKING
    funding_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # exact money sought
    funding_currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    team: Mapped[list[str]] = mapped_column(JSON, default=list)  # "Name, role" lines
    contact_policy: Mapped[str] = mapped_column(String(20), default="via_platform")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200))  # as typed, when not on the platform

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    patents: Mapped[list[Patent]] = relationship(
        secondary=project_patents, order_by=Patent.publication_number
    )

    @property
    def title(self) -> str:
        return self.title_en or self.title_zh or self.reference


class Expert(ModerationMixin, TimestampMixin, db.Model):
    __tablename__ = "experts"
    __table_args__ = (
        CheckConstraint("fee_amount IS NULL OR fee_amount >= 0", name="fee_amount_not_negative"),
        CheckConstraint("fee_amount IS NULL OR fee_currency IS NOT NULL", name="fee_currency"),
        CheckConstraint(
            f"availability IS NULL OR {_in('availability', EXPERT_AVAILABILITY)}", name="availability"
        ),
        CheckConstraint(f"fee_unit IS NULL OR {_in('fee_unit', FEE_UNITS)}", name="fee_unit"),
        CheckConstraint(_in("moderation_status", MODERATION_STATUSES), name="moderation_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # stable id for imports
    name: Mapped[str] = mapped_column(String(200))  # as the expert writes it, e.g. "王立群"
    name_en: Mapped[str | None] = mapped_column(String(200))  # romanised or English name
    title: Mapped[str | None] = mapped_column(String(200))  # job title
    title_en: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    # IPC/CPC subclasses ("H01M") and industries are child rows, so both can be filtered in SQL.
    qualifications: Mapped[list[str]] = mapped_column(JSON, default=list)  # EXPERT_QUALIFICATIONS or text
    biography_zh: Mapped[str | None] = mapped_column(Text)
    biography_en: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1
    availability: Mapped[str | None] = mapped_column(String(20))
    fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # guidance, not a quote
    fee_currency: Mapped[str | None] = mapped_column(String(3))
    fee_unit: Mapped[str | None] = mapped_column(String(10))  # per hour / day / project
    # The expert's own account (an expert with the assessor role can value listings).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # maintains the profile

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    specialties: Mapped[list[ExpertSpecialty]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="ExpertSpecialty.position"
    )
    conflicts: Mapped[list[ExpertConflict]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="ExpertConflict.id"
    )

    def can_edit(self, user) -> bool:
        """The maintainer and administrators, and the expert whose own account the profile is linked to."""
        linked = is_authenticated(user) and self.user_id is not None and user.id == self.user_id
        return bool(linked or super().can_edit(user))

    @property
    def specialties_ipc(self) -> list[str]:
        return [s.value for s in self.specialties if s.kind == "ipc"]

    @property
    def industries(self) -> list[str]:
        return [s.value for s in self.specialties if s.kind == "industry"]

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.name_en})" if self.name_en and self.name_en != self.name else self.name


class ExpertSpecialty(db.Model):
    __tablename__ = "expert_specialties"
    __table_args__ = (
        UniqueConstraint("expert_id", "kind", "value"),
        CheckConstraint("kind IN ('ipc', 'industry')", name="kind"),
        Index("ix_expert_specialties_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "ipc" (a subclass such as "H01M") or "industry"
    value: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    expert: Mapped[Expert] = relationship(back_populates="specialties")


class ExpertConflict(db.Model):
    """An organisation the expert works for or has advised: they must not value its assets."""

    __tablename__ = "expert_conflicts"
    __table_args__ = (UniqueConstraint("expert_id", "organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200), index=True)
    relation: Mapped[str | None] = mapped_column(String(100))  # "employer", "advised 2021-2023", ...

    expert: Mapped[Expert] = relationship(back_populates="conflicts")


class CatalogueChange(db.Model):
    """Append-only history of every create, edit, import and moderation of a catalogue record."""

    __tablename__ = "catalogue_changes"
    __table_args__ = (
        Index("ix_catalogue_changes_record", "record_type", "record_id"),
        CheckConstraint("record_type IN ('patent', 'project', 'expert')", name="record_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))  # "patent" | "project" | "expert"
    record_id: Mapped[int]  # no FK: the history outlives the record
    action: Mapped[str] = mapped_column(String(20))  # create / update / import / publish / hide
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: system/CLI
    # {field: [old, new]} with values as JSON-friendly strings.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(String(500))  # e.g. the moderation reason, the import file
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

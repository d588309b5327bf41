"""Patents and their child facts: codes, parties, pledges, licences, events, documents.

Column names mirror ``records.PatentRecord`` so an imported record maps onto a row field by
field. Every fact the valuation engine reads is a typed column, never free text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_admin, is_authenticated
from app.catalogue.records import LEGAL_STATUSES, PATENT_TYPES
from app.catalogue.terms import status_on
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db

# Moderation is a separate status dimension from the legal status.
PUBLISHED = "published"  # visible in search and on detail pages
HIDDEN = "hidden"  # withdrawn by an administrator; visible to its owner and administrators only
MODERATION_STATUSES = (PUBLISHED, HIDDEN)

PARTY_ROLES = ("applicant", "owner", "inventor")
LICENCE_TYPES = ("exclusive", "sole", "non_exclusive", "open")  # open: offered to anyone on set terms
EXCLUSIVE_LICENCE_TYPES = ("exclusive", "sole")  # while one is in force, no open licence (and back)
EVENT_TYPES = ("legal_status", "litigation", "invalidation", "assignment", "fee_payment", "other")
DOCUMENT_KINDS = ("full_text", "drawing", "certificate", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that a string column holds one of a fixed set of values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ModerationMixin:
    """Publish/hide by an administrator, with the reason shown to the owner; needs ``owner_id``."""

    moderation_status: Mapped[str] = mapped_column(String(20), default=PUBLISHED, index=True)
    moderation_reason: Mapped[str | None] = mapped_column(String(500))  # why it was hidden
    moderated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_published(self) -> bool:
        return self.moderation_status == PUBLISHED

    def can_edit(self, user) -> bool:
        """Owners edit their own records; administrators edit everything."""
        return bool(is_authenticated(user) and (is_admin(user) or user.id == self.owner_id))

    def can_view(self, user) -> bool:
        """Hidden records stay visible to whoever may edit them, so they can fix them."""
        return self.is_published or self.can_edit(user)


class Patent(ModerationMixin, TimestampMixin, db.Model):
    __tablename__ = "patents"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "publication_number"),
        CheckConstraint(_in("patent_type", PATENT_TYPES), name="patent_type"),
        CheckConstraint(
            f"legal_status IS NULL OR {_in('legal_status', LEGAL_STATUSES)}", name="legal_status"
        ),
        CheckConstraint(_in("moderation_status", MODERATION_STATUSES), name="moderation_status"),
        CheckConstraint("claims_count IS NULL OR claims_count >= 0", name="claims_count"),
        CheckConstraint(
            "independent_claims_count IS NULL OR independent_claims_count >= 0",
            name="independent_claims_count",
        ),
        CheckConstraint("family_size >= 1", name="family_size"),
        Index("ix_patents_jurisdiction_patent_type", "jurisdiction", "patent_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)  # CN, US, EP, JP, KR, WO
    publication_number: Mapped[str] = mapped_column(String(32))  # canonical, without kind: "US9999999"
    application_number: Mapped[str | None] = mapped_column(String(32))  # canonical: "CN201510123456.7"
    kind_code: Mapped[str | None] = mapped_column(String(4))  # the office's kind code: "B2", "A", "U"
    patent_type: Mapped[str] = mapped_column(String(20), index=True)  # invention/utility_model/design
    title_zh: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    title_derived: Mapped[bool] = mapped_column(default=False)  # title_en was made from the first claim
    abstract_zh: Mapped[str | None] = mapped_column(Text)
    abstract_en: Mapped[str | None] = mapped_column(Text)
    first_claim: Mapped[str | None] = mapped_column(Text)
    claims_count: Mapped[int | None]
    independent_claims_count: Mapped[int | None]
    filing_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    priority_date: Mapped[dt.date | None] = mapped_column(Date)  # earliest priority claimed
    publication_date: Mapped[dt.date | None] = mapped_column(Date)
    grant_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date, index=True)  # computed by terms.expiry_date
    legal_status: Mapped[str | None] = mapped_column(String(20), index=True)  # one of LEGAL_STATUSES
    legal_status_date: Mapped[dt.date | None] = mapped_column(Date)  # date of the last status change
    family_countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO codes, own country included
    family_size: Mapped[int] = mapped_column(default=1)  # members of the simple family
    forward_citations: Mapped[int | None]  # times cited by later patents
    backward_citations: Mapped[int | None]  # references this patent cites
    annual_fee_paid_year: Mapped[int | None]  # renewal fees paid up to (and including) year N
    # Fields filled in by a generator rather than an office record (demo data says so on the page).
    generated_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(300))  # file and location it was imported from
    # Created by the demo seed and changed by no one since: the only patents a later seed may touch.
    seed_untouched: Mapped[bool] = mapped_column(default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # may edit it
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    classifications: Mapped[list[PatentClassification]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentClassification.position"
    )
    parties: Mapped[list[PatentParty]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentParty.sequence"
    )
    pledges: Mapped[list[PatentPledge]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentPledge.registered_on"
    )
    licences: Mapped[list[PatentLicence]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentLicence.recorded_on"
    )
    events: Mapped[list[PatentEvent]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentEvent.occurred_on"
    )
    documents: Mapped[list[PatentDocument]] = relationship(
        back_populates="patent", cascade="all, delete-orphan"
    )

    def codes(self, scheme: str) -> list[str]:
        """Codes of one scheme, main code first."""
        chosen = sorted((c for c in self.classifications if c.scheme == scheme), key=lambda c: not c.is_main)
        return [c.code for c in chosen]

    def party_names(self, role: str) -> list[str]:
        return [p.name for p in sorted(self.parties, key=lambda p: p.sequence) if p.role == role]

    @property
    def owners_on_record(self) -> list[str]:
        """Who the office record names as the holder: the current owners, else the applicants."""
        return self.party_names("owner") or self.party_names("applicant")

    @property
    def listed_by(self) -> str | None:
        """The platform account that put the patent on IPEX, by its organisation when it has one."""
        if self.owner is None:
            return None
        return self.owner.organisation.name if self.owner.organisation else self.owner.display_name

    @property
    def listed_by_owner_on_record(self) -> bool:
        """Whether the listing account is (by name) one of the owners on record."""
        lister = "".join((self.listed_by or "").casefold().split())
        names = ["".join(name.casefold().split()) for name in self.owners_on_record]
        return bool(lister) and any(
            name.startswith(lister) or lister.startswith(name) for name in names if name
        )

    @property
    def current_status(self) -> str | None:
        """The legal status as of today: a granted patent past its expiry reads as expired even
        before ``services.expire_terms`` has stored it."""
        return status_on(self.legal_status, self.expiry_date, utcnow().date())

    @property
    def main_classification(self) -> PatentClassification | None:
        return next((c for c in self.classifications if c.is_main), None)

    @property
    def title(self) -> str:
        """Any title, for places that show one line regardless of language."""
        return self.title_en or self.title_zh or self.publication_number


class PatentClassification(db.Model):
    __tablename__ = "patent_classifications"
    __table_args__ = (
        UniqueConstraint("patent_id", "scheme", "code"),
        CheckConstraint("scheme IN ('ipc', 'cpc')", name="scheme"),
        Index("ix_patent_classifications_scheme_search_key", "scheme", "search_key"),
        Index("ix_patent_classifications_subclass", "subclass"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(3))  # "ipc" or "cpc"
    code: Mapped[str] = mapped_column(String(32))  # display form: "H01M 10/0525"
    # Fixed-width form in which every level is a string prefix: "H01M0010/0525" (LIKE 'H01M0010/%').
    search_key: Mapped[str] = mapped_column(String(32))
    subclass: Mapped[str | None] = mapped_column(String(4))  # "H01M": facets, related patents
    is_main: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)  # order as on the record

    patent: Mapped[Patent] = relationship(back_populates="classifications")


class PatentParty(db.Model):
    __tablename__ = "patent_parties"
    __table_args__ = (
        CheckConstraint(_in("role", PARTY_ROLES), name="role"),
        Index("ix_patent_parties_role_name", "role", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # applicant / owner (current, on record) / inventor
    name: Mapped[str] = mapped_column(String(300))
    sequence: Mapped[int] = mapped_column(default=0)  # order on the record, first = main

    patent: Mapped[Patent] = relationship(back_populates="parties")


class PatentPledge(db.Model):
    """A recorded pledge (security interest) on the patent."""

    __tablename__ = "patent_pledges"
    __table_args__ = (CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    pledgee: Mapped[str] = mapped_column(String(300))  # usually a bank
    pledgor: Mapped[str | None] = mapped_column(String(300))
    registration_number: Mapped[str | None] = mapped_column(String(64))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    released_on: Mapped[dt.date | None] = mapped_column(Date)  # None while the pledge is in force
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # secured amount
    currency: Mapped[str | None] = mapped_column(String(3))

    patent: Mapped[Patent] = relationship(back_populates="pledges")

    @property
    def is_active(self) -> bool:
        return self.released_on is None


class PatentLicence(db.Model):
    """A recorded licence: who may use the patent, where, in which field, until when."""

    __tablename__ = "patent_licences"
    __table_args__ = (CheckConstraint(_in("licence_type", LICENCE_TYPES), name="licence_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    licence_type: Mapped[str] = mapped_column(String(20))  # exclusive / sole / non_exclusive
    licensee: Mapped[str | None] = mapped_column(String(300))
    field: Mapped[str | None] = mapped_column(String(300))  # field of use
    territory: Mapped[str | None] = mapped_column(String(200))
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)  # None: until the patent expires

    patent: Mapped[Patent] = relationship(back_populates="licences")

    def in_force(self, on: dt.date) -> bool:
        """Recorded (or undated) and not yet ended on a day."""
        started = self.recorded_on is None or self.recorded_on <= on
        return started and (self.until is None or self.until >= on)


class PatentEvent(db.Model):
    """Legal-status changes, litigation, invalidation requests and other dated history."""

    __tablename__ = "patent_events"
    __table_args__ = (CheckConstraint(_in("event_type", EVENT_TYPES), name="event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(100))  # case or decision number
    outcome: Mapped[str | None] = mapped_column(String(200))  # e.g. "claims 1-3 held invalid"

    patent: Mapped[Patent] = relationship(back_populates="events")


class PatentDocument(db.Model):
    """An image or document about the patent: an external link, or a file in the instance folder.

    Files are never stored in the database; ``stored_name`` is the file's name under
    ``instance/patent_documents/<patent_id>/`` (see ``documents.py``).
    """

    __tablename__ = "patent_documents"
    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint("url IS NOT NULL OR stored_name IS NOT NULL", name="url_or_file"),
        CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="size_bytes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))  # external reference (http/https)
    media_type: Mapped[str | None] = mapped_column(String(100))  # checked from the file's bytes
    stored_name: Mapped[str | None] = mapped_column(String(100))  # random name of the uploaded file
    original_filename: Mapped[str | None] = mapped_column(String(300))  # as uploaded, for downloads
    size_bytes: Mapped[int | None]

    patent: Mapped[Patent] = relationship(back_populates="documents")

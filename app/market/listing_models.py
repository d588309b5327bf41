"""Listings and what hangs off them: bundled patents, NDAs, the data room, enquiries, watch lists.

Money is exact: ``Numeric(18, 2)`` with a currency column and a database CHECK that amounts are
positive. Statuses and the transition table live in ``listing_states``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.catalogue.models import InnovationProject, Patent
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.core.money import Money, positive_amount_check
from app.extensions import db
from app.market import listing_states as states

RIGHT_TYPES = (
    "assignment",  # ownership changes hands (takes effect on CNIPA registration)
    "exclusive_licence",  # only the licensee may use it, not even the owner
    "sole_licence",  # the licensee and the owner may use it, nobody else
    "non_exclusive_licence",
    "open_licence",  # 开放许可: published fixed terms, anyone verified may accept
    "option",  # a paid right to take a licence later
)
LICENCE_RIGHT_TYPES = ("exclusive_licence", "sole_licence", "non_exclusive_licence", "open_licence", "option")
PRICE_MECHANISMS = ("fixed", "negotiable", "english_auction", "sealed_auction")
AUCTION_MECHANISMS = ("english_auction", "sealed_auction")
CONTACT_RULES = ("platform_only", "reveal_on_request")
DATA_ROOM_ACTIONS = ("view", "download")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Listing(TimestampMixin, db.Model):
    """A rights package offered on one patent, a bundle of patents, or an innovation project."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(_in("status", states.STATUSES), name="status"),
        CheckConstraint(_in("right_type", RIGHT_TYPES), name="right_type"),
        CheckConstraint(_in("price_mechanism", PRICE_MECHANISMS), name="price_mechanism"),
        CheckConstraint(_in("contact_rule", CONTACT_RULES), name="contact_rule"),
        positive_amount_check("ask_amount"),
        positive_amount_check("floor_amount"),
        positive_amount_check("minimum_annual_royalty"),
        CheckConstraint(
            "royalty_rate IS NULL OR (royalty_rate >= 0 AND royalty_rate <= 100)", name="royalty"
        ),
        CheckConstraint("term_months IS NULL OR term_months > 0", name="term_months"),
        CheckConstraint("price_mechanism != 'fixed' OR ask_amount IS NOT NULL", name="fixed_has_ask"),
        Index("ix_listings_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the person who listed it
    # The organisation that holds the rights; its members may manage the listing too.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("innovation_projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=states.DRAFT, index=True)
    right_type: Mapped[str] = mapped_column(String(30))
    price_mechanism: Mapped[str] = mapped_column(String(20), default="negotiable")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    ask_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # upfront price asked
    floor_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # offers below are declined
    royalty_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))  # running royalty, % of net sales
    minimum_annual_royalty: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"label", "amount"}]
    field_of_use: Mapped[str | None] = mapped_column(String(300))  # None: every field
    territory: Mapped[str | None] = mapped_column(String(200))  # None: worldwide
    term_months: Mapped[int | None]  # None: until the patent expires
    sublicensing: Mapped[bool] = mapped_column(default=False)  # may the licensee sublicense
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_zh: Mapped[str | None] = mapped_column(Text)  # business language, not claim language
    summary_en: Mapped[str | None] = mapped_column(Text)
    buyer_gets_zh: Mapped[str | None] = mapped_column(Text)  # what exactly the buyer receives
    buyer_gets_en: Mapped[str | None] = mapped_column(Text)
    contact_rule: Mapped[str] = mapped_column(String(20), default="platform_only")
    contact_details: Mapped[str | None] = mapped_column(String(500))  # shown only when the seller reveals
    nda_text: Mapped[str | None] = mapped_column(Text)  # the seller's NDA; the default text when empty
    # Declarations the due-diligence rules need when the facts alone would block.
    pledgee_consent: Mapped[bool] = mapped_column(default=False)
    co_owner_consent: Mapped[bool] = mapped_column(default=False)
    featured: Mapped[bool] = mapped_column(default=False)  # chosen by an administrator for the home page
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)  # expires after this
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(
        String(1000)
    )  # the administrator's, shown to the seller

    seller: Mapped[User] = relationship(foreign_keys=[seller_id])
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    project: Mapped[InnovationProject | None] = relationship(foreign_keys=[project_id])
    patent_links: Mapped[list[ListingPatent]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingPatent.position"
    )
    documents: Mapped[list[DataRoomDocument]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="DataRoomDocument.id"
    )

    @property
    def patents(self) -> list[Patent]:
        return [link.patent for link in self.patent_links]

    @property
    def is_bundle(self) -> bool:
        return len(self.patent_links) > 1

    @property
    def is_auction(self) -> bool:
        return self.price_mechanism in AUCTION_MECHANISMS

    @property
    def is_licence(self) -> bool:
        return self.right_type in LICENCE_RIGHT_TYPES

    @property
    def title(self) -> str:
        return self.title_zh or self.title_en or ""

    @property
    def ask(self) -> Money | None:
        return Money.of(self.ask_amount, self.currency)

    @property
    def floor(self) -> Money | None:
        return Money.of(self.floor_amount, self.currency)

    def terms_snapshot(self) -> dict[str, Any]:
        """The rights package and price terms as JSON-safe values (money as strings)."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"

        return {
            "listing_id": self.id,
            "right_type": self.right_type,
            "price_mechanism": self.price_mechanism,
            "currency": self.currency,
            "ask_amount": money(self.ask_amount),
            "royalty_rate": None if self.royalty_rate is None else format(self.royalty_rate.normalize(), "f"),
            "minimum_annual_royalty": money(self.minimum_annual_royalty),
            "milestones": [dict(m) for m in self.milestones or []],
            "field_of_use": self.field_of_use,
            "territory": self.territory,
            "term_months": self.term_months,
            "sublicensing": self.sublicensing,
            "patent_ids": [link.patent_id for link in self.patent_links],
            "patent_numbers": [link.patent.publication_number for link in self.patent_links],
            "project_id": self.project_id,
        }


class ListingPatent(db.Model):
    """A patent in a listing; several make a bundle."""

    __tablename__ = "listing_patents"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)  # order shown in the bundle

    listing: Mapped[Listing] = relationship(back_populates="patent_links")
    patent: Mapped[Patent] = relationship()


class NdaAcceptance(db.Model):
    """A buyer clicked through the listing's NDA: when, from where, and which text."""

    __tablename__ = "listing_nda_acceptances"
    __table_args__ = (UniqueConstraint("listing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    text_sha256: Mapped[str] = mapped_column(String(64))  # hash of the exact NDA text accepted

    user: Mapped[User] = relationship()


class DataRoomDocument(db.Model):
    """A file in a listing's data room; confidential ones need the NDA. Stored under instance/."""

    __tablename__ = "data_room_documents"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_bytes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    confidential: Mapped[bool] = mapped_column(default=True)
    stored_name: Mapped[str] = mapped_column(String(100))  # random name under instance/data_room/<listing>/
    media_type: Mapped[str] = mapped_column(String(100))  # recognised from the bytes, not the upload
    original_filename: Mapped[str] = mapped_column(String(300))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="documents")


class DataRoomAccess(db.Model):
    """Every opening of a data-room document, shown to the seller."""

    __tablename__ = "data_room_accesses"
    __table_args__ = (CheckConstraint(_in("action", DATA_ROOM_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("data_room_documents.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user: Mapped[User] = relationship()
    document: Mapped[DataRoomDocument] = relationship()


class ListingView(db.Model):
    """Page views per listing and day, for the seller's funnel chart."""

    __tablename__ = "listing_views"
    __table_args__ = (UniqueConstraint("listing_id", "day"), CheckConstraint("count >= 0", name="count"))

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)


class OpenLicenceAcceptance(db.Model):
    """A buyer took an open licence on the published terms: the certificate's record."""

    __tablename__ = "open_licence_acceptances"
    __table_args__ = (UniqueConstraint("listing_id", "licensee_id"), UniqueConstraint("certificate_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    licensee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    licensee_name: Mapped[str] = mapped_column(String(300))  # the organisation as named at acceptance
    certificate_number: Mapped[str] = mapped_column(String(40))  # "OL-2026-000012"
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)  # the listing's terms_snapshot() at acceptance
    licence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # PatentLicence rows created
    deal_id: Mapped[int | None]  # the deal created for payment and recordal (no FK: deals come later)
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship()
    licensee: Mapped[User] = relationship()


class EnquiryThread(TimestampMixin, db.Model):
    """Questions from one buyer to the seller about one listing or one project."""

    __tablename__ = "enquiry_threads"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) != (project_id IS NULL)", name="one_subject"),
        UniqueConstraint("listing_id", "buyer_id"),
        UniqueConstraint("project_id", "buyer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovation_projects.id", ondelete="CASCADE"), index=True
    )
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # who asked
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # who answers
    contact_revealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the seller chose to
    last_message_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing | None] = relationship()
    project: Mapped[InnovationProject | None] = relationship()
    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    seller: Mapped[User] = relationship(foreign_keys=[seller_id])
    messages: Mapped[list[EnquiryMessage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="EnquiryMessage.id"
    )


class EnquiryMessage(db.Model):
    __tablename__ = "enquiry_messages"
    __table_args__ = (CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="size_bytes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("enquiry_threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # by the other party
    # An optional attachment, checked like data-room uploads.
    stored_name: Mapped[str | None] = mapped_column(String(100))
    media_type: Mapped[str | None] = mapped_column(String(100))
    original_filename: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int | None]

    thread: Mapped[EnquiryThread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()


class WatchItem(db.Model):
    """A buyer follows a listing or a patent and hears when its price or status changes."""

    __tablename__ = "watch_items"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) != (patent_id IS NULL)", name="one_subject"),
        UniqueConstraint("user_id", "listing_id"),
        UniqueConstraint("user_id", "patent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing | None] = relationship()
    patent: Mapped[Patent | None] = relationship()


class MarketSetting(db.Model):
    """Platform policies an administrator sets, e.g. whether verified sellers skip moderation."""

    __tablename__ = "market_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

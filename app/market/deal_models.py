"""Deals, their contracts and signatures: snapshots that later edits of the listing cannot change."""

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
    event,
)
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from app.accounts.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db
from app.market import deal_states as states

PARTY_SIDES = ("seller", "buyer")
CONTRACT_LANGUAGES = ("zh", "en")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Deal(TimestampMixin, db.Model):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(_in("status", states.STATUSES), name="status"),
        CheckConstraint(_in("money_status", states.MONEY_STATUSES), name="money_status"),
        CheckConstraint(_in("origin", states.ORIGINS), name="origin"),
        CheckConstraint("price_amount > 0", name="price_amount_positive"),
        CheckConstraint("seller_id != buyer_id", name="distinct_parties"),
        UniqueConstraint("reference"),
        Index("ix_deals_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24))  # "D-2026-000012", shown to people
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    origin: Mapped[str] = mapped_column(String(14))  # offer | buy_now | open_licence | auction
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))  # the accepted proposal
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # acting for the seller
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # acting for the buyer
    seller_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    buyer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Snapshots taken when the deal was agreed: names as they were, patents, rights and terms.
    parties: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"seller": {...}, "buyer": {...}}
    patents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"id", "number", "jurisdiction", ...}]
    right_type: Mapped[str] = mapped_column(String(30))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    price_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # the agreed upfront price
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(20), default=states.AGREED)
    money_status: Mapped[str] = mapped_column(String(10), default=states.UNPAID)
    payment_reference: Mapped[str | None] = mapped_column(String(120))  # bank or provider reference
    status_before_dispute: Mapped[str | None] = mapped_column(String(20))
    cancel_reason: Mapped[str | None] = mapped_column(String(1000))
    agreed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    contract_effective_on: Mapped[dt.date | None] = mapped_column(Date)  # the day both had signed
    filing_number: Mapped[str | None] = mapped_column(String(60))  # the office's application number
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    registration_notice: Mapped[str | None] = mapped_column(String(200))  # notice / reel-frame number
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(default=False)  # generated demo data, never a real transaction

    listing = relationship("Listing")
    seller: Mapped[User] = relationship(foreign_keys=[seller_id])
    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="Contract.id"
    )

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)

    @property
    def contract(self) -> Contract | None:
        """The current contract (a redraft before anyone signed replaces it)."""
        current = [c for c in self.contracts if c.superseded_at is None]
        return current[-1] if current else None

    @property
    def is_licence(self) -> bool:
        return self.right_type != "assignment"

    @property
    def patent_numbers(self) -> list[str]:
        return [p["number"] for p in self.patents]


class Contract(db.Model):
    """The contract text generated from a template file; hashed, signed, then frozen."""

    __tablename__ = "contracts"
    __table_args__ = (CheckConstraint(_in("language", CONTRACT_LANGUAGES), name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    template: Mapped[str] = mapped_column(String(60))  # e.g. "assignment.zh.txt"
    template_sha256: Mapped[str] = mapped_column(String(64))  # which version of the template file
    language: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # redrafted before signing
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # both signed: immutable

    deal: Mapped[Deal] = relationship(back_populates="contracts")
    signatures: Mapped[list[ContractSignature]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractSignature.id"
    )

    def signature_of(self, side: str) -> ContractSignature | None:
        return next((s for s in self.signatures if s.side == side), None)


class ContractSignature(db.Model):
    """A typed-name signature over the exact text (its SHA-256), with the time and the signer."""

    __tablename__ = "contract_signatures"
    __table_args__ = (
        UniqueConstraint("contract_id", "side"),
        CheckConstraint(_in("side", PARTY_SIDES), name="side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(6))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    typed_name: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))  # what was on the screen when signing
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    contract: Mapped[Contract] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class ContractLocked(RuntimeError):
    """Someone tried to change a contract both parties had signed."""


FROZEN_CONTRACT_FIELDS = ("text", "text_sha256", "language", "template", "template_sha256", "deal_id")


@event.listens_for(Contract, "before_update")
def _refuse_changes_to_signed_contracts(mapper, connection, contract: Contract) -> None:
    """Once locked, the signed text can never change, whatever code path tries."""
    if contract.locked_at is None or attributes.get_history(contract, "locked_at").has_changes():
        return
    changed = [
        name for name in FROZEN_CONTRACT_FIELDS if attributes.get_history(contract, name).has_changes()
    ]
    if changed:
        raise ContractLocked(
            f"contract {contract.id} is signed by both parties: {', '.join(changed)} cannot change"
        )


@event.listens_for(Contract, "before_delete")
def _refuse_deleting_signed_contracts(mapper, connection, contract: Contract) -> None:
    if contract.locked_at is not None:
        raise ContractLocked(f"contract {contract.id} is signed by both parties and cannot be deleted")

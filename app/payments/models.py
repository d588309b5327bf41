"""Payments, the versioned fee schedule, the double-entry ledger and received provider events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db
from app.payments import states

ACCOUNTS = ("buyer", "hold", "seller", "fee")  # buyer -> hold -> seller / fee; refunds hold -> buyer
MOVEMENTS = ("receipt", "payout", "fee", "refund", "credit", "forfeit")  # the last two: auction deposits


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


_LIVE = _in("status", states.LIVE)
_LIVE_UPFRONT = f"{_LIVE} AND royalty_invoice_id IS NULL"


class Payment(db.Model):
    """The buyer's payment of a deal's upfront price through one provider."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("status", states.STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("fee_amount >= 0 AND fee_amount <= amount", name="fee_within_amount"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"),
        CheckConstraint("deposit_credit >= 0 AND deposit_credit < amount", name="deposit_credit_range"),
        UniqueConstraint("reference"),
        UniqueConstraint("provider", "provider_ref"),
        # One live upfront payment per deal: a second concurrent start fails in the database too.
        Index(
            "uq_payments_live_deal",
            "deal_id",
            unique=True,
            sqlite_where=text(_LIVE_UPFRONT),
            postgresql_where=text(_LIVE_UPFRONT),
        ),
        # One live payment per royalty invoice (app.payments.royalties).
        Index(
            "uq_payments_live_royalty_invoice",
            "royalty_invoice_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    provider: Mapped[str] = mapped_column(String(20))  # "offline" | "stripe"
    status: Mapped[str] = mapped_column(String(24), default=states.REQUIRES_PAYMENT)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    fee_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # the platform's commission, fixed at start
    fee_version: Mapped[int]  # the fee schedule version that priced it (0: built-in default)
    refunded_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0"))
    # The winner's auction deposit counted towards the price: the provider collects amount - this.
    deposit_credit: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0"), server_default="0")
    # Ours, quoted on bank transfers, "IPEX-<deal>-<attempt>": stable across a rolled-back retry,
    # so the idempotency keys derived from it are too.
    reference: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. the PaymentIntent id
    received_reference: Mapped[str | None] = mapped_column(String(120))  # bank reference of the receipt
    payout_reference: Mapped[str | None] = mapped_column(String(120))  # bank reference of the payout
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the payment settles a running-royalty invoice rather than the deal's upfront price.
    royalty_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_invoices.id"))

    deal = relationship("Deal")
    payer = relationship("User")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def due(self) -> Money:
        """What the buyer still pays through the provider: the price less a credited deposit."""
        return Money(self.amount - (self.deposit_credit or 0), self.currency)

    @property
    def fee(self) -> Money:
        return Money(self.fee_amount, self.currency)

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_amount, self.currency)

    @property
    def held(self) -> Money:
        """What we still hold for the deal (before the payout)."""
        return self.money - self.refunded if self.status in states.HELD else Money(Decimal(0), self.currency)

    def idempotency_key(self, operation: str) -> str:
        """A provider idempotency key derived from our record, so a retry never charges twice."""
        return f"{self.reference.lower()}-{operation}"


class FeeScheduleVersion(db.Model):
    """One published version of the fee schedule; versions are kept, the newest applies."""

    __tablename__ = "fee_schedule_versions"
    __table_args__ = (CheckConstraint("status IN ('draft', 'active', 'retired')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    # draft: being edited, not applied; active: the one quotes use; retired: kept for what it priced.
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rules: Mapped[list[FeeRule]] = relationship(back_populates="schedule", order_by="FeeRule.id")


class FeeRule(db.Model):
    """Commission for a right type and price mechanism; NULL matches any (the most specific wins)."""

    __tablename__ = "fee_rules"
    __table_args__ = (
        CheckConstraint("rate_percent >= 0 AND rate_percent <= 100", name="rate_percent_range"),
        CheckConstraint("minimum_amount >= 0", name="minimum_amount_not_negative"),
        UniqueConstraint("schedule_id", "right_type", "price_mechanism"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule_versions.id"), index=True)
    right_type: Mapped[str | None] = mapped_column(String(30))
    price_mechanism: Mapped[str | None] = mapped_column(String(20))
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    minimum_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")

    schedule: Mapped[FeeScheduleVersion] = relationship(back_populates="rules")


class LedgerEntry(db.Model):
    """One leg of a balanced movement; a movement's legs (and so a deal's entries) sum to zero.

    Balances are derived by summing entries, never stored. ``posting_key`` makes each movement
    idempotent: replaying a provider event cannot post it twice.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(_in("account", ACCOUNTS), name="account"),
        CheckConstraint(_in("movement", MOVEMENTS), name="movement"),
        CheckConstraint("amount != 0", name="amount_not_zero"),
        UniqueConstraint("posting_key", "account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deal's movements name the deal and payment; an auction deposit's name the deposit instead.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("auction_deposits.id"), index=True)
    movement: Mapped[str] = mapped_column(String(10))
    posting_key: Mapped[str] = mapped_column(String(80))  # e.g. "payment-3-receipt"
    account: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # signed: + into the account, - out of it
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProviderEvent(db.Model):
    """A provider webhook event already applied; the unique id makes a replay a no-op."""

    __tablename__ = "payment_provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

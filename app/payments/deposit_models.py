"""Auction deposits: what an auction requires, and each bidder's deposit through one provider."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db
from app.payments import deposit_states as ds


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


_LIVE = _in("status", ds.LIVE)


class AuctionDepositTerms(db.Model):
    """The deposit an auction requires before bidding, set with the auction's settings."""

    __tablename__ = "auction_deposit_terms"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("payment_days >= 1 AND payment_days <= 90", name="payment_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # The winner must pay the deal within this many days of the award, or forfeits the deposit.
    payment_days: Mapped[int] = mapped_column(default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class AuctionDeposit(db.Model):
    """One bidder's deposit for one auction; at most one live per bidder and auction."""

    __tablename__ = "auction_deposits"
    __table_args__ = (
        CheckConstraint(_in("status", ds.STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("reference"),
        Index(
            "uq_auction_deposits_live_bidder",
            "auction_id",
            "bidder_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # "offline" | "stripe"
    status: Mapped[str] = mapped_column(String(24), default=ds.REQUIRES_PAYMENT)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # "manual": a card hold (the auction ends within the hold window), captured only if it must be;
    # "automatic": charged now and refunded later; None for bank transfers.
    capture_method: Mapped[str | None] = mapped_column(String(10))
    captured: Mapped[bool] = mapped_column(default=False)  # the money moved (and is in the ledger)
    # Ours, quoted on bank transfers, "DEP-<auction>-<bidder>-<attempt>"; idempotency keys derive from it.
    reference: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. the PaymentIntent id
    received_reference: Mapped[str | None] = mapped_column(String(120))  # bank reference of the receipt
    refund_reference: Mapped[str | None] = mapped_column(String(120))  # bank or provider refund reference
    credited_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))  # the winner's
    forfeit_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    auction = relationship("Auction")
    bidder = relationship("User")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    def idempotency_key(self, operation: str) -> str:
        """A provider idempotency key derived from our record, so a retry never charges twice."""
        return f"{self.reference.lower()}-{operation}"

"""Payout accounts (Connect or bank), split shares of a deal's seller proceeds, and payouts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db
from app.payments import payout_states as ps


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PayoutAccount(db.Model):
    """Where a user's payouts go: a Stripe connected account, or (offline) a bank account."""

    __tablename__ = "payout_accounts"
    __table_args__ = (UniqueConstraint("user_id", "provider"), UniqueConstraint("provider", "provider_ref"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # "stripe" (Connect) | "offline" (bank details)
    provider_ref: Mapped[str | None] = mapped_column(String(120))  # the connected account id
    # Copied from the provider's account (webhook account.updated, or a refresh the user asks for).
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    bank_account_name: Mapped[str | None] = mapped_column(String(120))  # offline: the holder's name
    bank_name: Mapped[str | None] = mapped_column(String(120))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))  # digits only, validated
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last copy from the provider
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")

    @property
    def ready(self) -> bool:
        """Payouts can be sent here: onboarding finished (Connect) or bank details on file."""
        if self.provider == "offline":
            return bool(self.bank_account_name and self.bank_name and self.bank_account_number)
        return bool(self.provider_ref and self.details_submitted and self.payouts_enabled)

    @property
    def masked_number(self) -> str:
        number = self.bank_account_number or ""
        return f"•••• {number[-4:]}" if number else ""

    def idempotency_key(self, operation: str) -> str:
        return f"ipex-payee-{self.user_id}-{self.provider}-{operation}"


class PayoutShare(db.Model):
    """A co-owner's or broker's percentage of a deal's seller proceeds; the seller keeps the rest."""

    __tablename__ = "payout_shares"
    __table_args__ = (
        UniqueConstraint("deal_id", "user_id"),
        CheckConstraint("percent > 0 AND percent < 100", name="percent_range"),
        CheckConstraint(_in("role", ("co_owner", "broker")), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(10))
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))  # of the seller's proceeds after the fee
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")


class Payout(db.Model):
    """One recipient's part of the seller's share of a payment, or of a forfeited auction deposit,
    sent with one provider transfer."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint(_in("status", ps.STATUSES), name="status"),
        CheckConstraint(_in("role", ps.ROLES), name="role"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("reversed_amount >= 0 AND reversed_amount <= amount", name="reversed_within_amount"),
        UniqueConstraint("reference"),
        UniqueConstraint("payment_id", "recipient_id"),
        UniqueConstraint("deposit_id", "recipient_id"),
        CheckConstraint("(payment_id IS NULL) <> (deposit_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where the money comes from: a deal's payment, or a forfeited auction deposit (exactly one).
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("auction_deposits.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)  # None: no deal yet
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(24), default=ps.PENDING)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    reversed_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0"))
    # "<payment reference>-P<n>": the idempotency keys of its transfer and reversals derive from it.
    reference: Mapped[str] = mapped_column(String(48))
    transfer_group: Mapped[str] = mapped_column(String(40))  # the deal's group, shared with its payment
    transfer_ref: Mapped[str | None] = mapped_column(String(120))  # the provider's transfer id
    attempts: Mapped[int] = mapped_column(default=0)  # provider calls made, answered or not
    last_error: Mapped[str | None] = mapped_column(String(500))  # why the last attempt did not finish
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment = relationship("Payment")
    deposit = relationship("AuctionDeposit")
    recipient = relationship("User")

    @property
    def source_reference(self) -> str:
        """What people know the money by: the deal's reference, else the forfeited deposit's."""
        if self.payment is not None:
            return self.payment.deal.reference
        return self.deposit.reference

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def reversed(self) -> Money:
        return Money(self.reversed_amount, self.currency)

    @property
    def kept(self) -> Money:
        return self.money - self.reversed

    def idempotency_key(self, operation: str) -> str:
        return f"{self.reference.lower()}-{operation}"

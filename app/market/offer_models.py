"""Offers: proposals in a negotiation between one buyer and the seller of one listing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db
from app.market import offer_states as states

SIDES = ("buyer", "seller")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Offer(db.Model):
    """One proposal: price and terms from one side, open until answered, withdrawn or expired.

    A negotiation is the chain of proposals sharing ``thread_id`` (the first proposal's id);
    ``buyer_id`` is the same on every proposal of a thread, whoever made it.
    """

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(_in("status", states.STATUSES), name="status"),
        CheckConstraint(_in("made_by_side", SIDES), name="made_by_side"),
        CheckConstraint("price_amount > 0", name="price_amount_positive"),
        Index("ix_offers_listing_status", "listing_id", "status"),
        Index("ix_offers_expires_at_open", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(index=True)  # the negotiation's first proposal
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))  # the proposal this counters
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the buyer negotiating
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the person who proposed it
    made_by_side: Mapped[str] = mapped_column(String(6))  # buyer | seller
    status: Mapped[str] = mapped_column(String(12), default=states.OPEN)
    price_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # upfront price proposed
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # The proposed rights package and price terms: the listing's terms_snapshot() with changes.
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)  # a note to the other side
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answer_note: Mapped[str | None] = mapped_column(String(1000))  # why it was rejected/declined/closed
    second_chance: Mapped[bool] = mapped_column(
        default=False
    )  # the seller's offer after an auction's reserve
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing = relationship("Listing")
    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    made_by: Mapped[User] = relationship(foreign_keys=[made_by_id])
    parent: Mapped[Offer | None] = relationship(remote_side=[id])

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)

    @property
    def recipient_side(self) -> str:
        return "seller" if self.made_by_side == "buyer" else "buyer"

    @property
    def is_open(self) -> bool:
        return self.status == states.OPEN

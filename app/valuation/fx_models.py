"""The dated exchange-rate table an administrator maintains: CNY per unit of another currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import UTCDateTime, utcnow
from app.extensions import db

DEMO_SOURCE = "demo"  # rates seeded for the demo, not taken from a published fixing


class FxRate(db.Model):
    """One rate: how many CNY one unit of ``currency`` was worth from ``effective_on`` on.

    Valuations read the latest rate on or before their valuation date; a rate is never edited,
    a correction is a new row with a later date (or the same date after the wrong one is removed).
    """

    __tablename__ = "valuation_fx_rates"
    __table_args__ = (
        UniqueConstraint("currency", "effective_on"),
        CheckConstraint("rate_to_cny > 0", name="rate_positive"),
        CheckConstraint("currency <> 'CNY'", name="not_cny"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)  # ISO 4217 code, e.g. USD
    rate_to_cny: Mapped[Decimal] = mapped_column(Numeric(18, 8))  # CNY for one unit of the currency
    effective_on: Mapped[dt.date] = mapped_column(Date, index=True)  # first day the rate applies
    source: Mapped[str] = mapped_column(String(200))  # e.g. "PBOC central parity", or DEMO_SOURCE
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entered_by: Mapped[User] = relationship()

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

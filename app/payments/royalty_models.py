"""Running royalties of a licence deal: the schedule, its reporting periods, sales reports, invoices.

A report is never edited: a correction supersedes it (``superseded_at``) and adds a new row, so the
history stays. An invoice is recomputed from the current reports until its payment succeeds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.lifecycle import Lifecycle
from app.core.models import UTCDateTime, utcnow
from app.core.money import Money
from app.extensions import db

OPEN = "open"  # issued, amount due, not yet paid
PAID = "paid"  # the invoice's payment succeeded
NOTHING_DUE = "nothing_due"  # zero sales and no minimum to top up
REFUNDED = "refunded"  # its payment was refunded in full: nothing of it stays with the licensor
INVOICE_STATUSES = (OPEN, PAID, NOTHING_DUE, REFUNDED)
# An invoice's changes after it is issued (recomputing an unpaid one sets open / nothing_due directly).
INVOICE_LIFECYCLE = Lifecycle(
    name="royalty_invoice",
    transitions={
        (OPEN, "pay"): PAID,
        (PAID, "refund_part"): PAID,  # part of the payment returned: still paid, the event says how much
        (PAID, "refund"): REFUNDED,
    },
    status_labels={
        OPEN: _l("Invoice due"),
        PAID: _l("Paid"),
        NOTHING_DUE: _l("Nothing due"),
        REFUNDED: _l("Refunded"),
    },  # fmt: skip
    action_labels={"pay": _l("Invoice paid"), "refund_part": _l("Part refunded"), "refund": _l("Refunded")},
)
REMINDER_KINDS = ("report_due_soon", "report_overdue", "invoice_due_soon", "invoice_overdue")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RoyaltySchedule(db.Model):
    """What a licence deal's licensee owes while the licence runs, snapshotted from the deal's terms."""

    __tablename__ = "royalty_schedules"
    __table_args__ = (
        CheckConstraint("rate_percent >= 0 AND rate_percent <= 100", name="rate_percent_range"),
        CheckConstraint(
            "minimum_annual_amount IS NULL OR minimum_annual_amount > 0", name="minimum_positive"
        ),
        CheckConstraint("term_months > 0", name="term_months_positive"),
        UniqueConstraint("deal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))  # % of net sales
    minimum_annual_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    starts_on: Mapped[dt.date] = mapped_column(Date)  # the day the licence took effect
    term_months: Mapped[int]
    term_assumed: Mapped[bool] = mapped_column(default=False)  # the deal named no term: 5 years assumed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deal = relationship("Deal")
    periods: Mapped[list[RoyaltyPeriod]] = relationship(
        back_populates="schedule", order_by="RoyaltyPeriod.number", cascade="all, delete-orphan"
    )

    @property
    def minimum(self) -> Money | None:
        return Money.of(self.minimum_annual_amount, self.currency)


class RoyaltyPeriod(db.Model):
    """One reporting period; the last of each licence year carries the year's minimum."""

    __tablename__ = "royalty_periods"
    __table_args__ = (UniqueConstraint("schedule_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("royalty_schedules.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, ... in order
    licence_year: Mapped[int]  # 1 for the first twelve months
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # inclusive
    due_on: Mapped[dt.date] = mapped_column(Date)  # report and payment due (30 days after the end)
    # Set on the last period of a licence year when the deal has a minimum (pro rata for a short year).
    year_minimum_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))

    schedule: Mapped[RoyaltySchedule] = relationship(back_populates="periods")
    reports: Mapped[list[RoyaltyReport]] = relationship(back_populates="period", order_by="RoyaltyReport.id")
    invoice: Mapped[RoyaltyInvoice | None] = relationship(back_populates="period", uselist=False)

    @property
    def report(self) -> RoyaltyReport | None:
        """The current report (corrections supersede earlier ones)."""
        return next((r for r in reversed(self.reports) if r.superseded_at is None), None)


_CURRENT = "superseded_at IS NULL"


class RoyaltyReport(db.Model):
    """The licensee's net sales for one period; a correction supersedes it, never edits it."""

    __tablename__ = "royalty_reports"
    __table_args__ = (
        CheckConstraint("net_sales >= 0", name="net_sales_not_negative"),
        Index(
            "uq_royalty_reports_current",
            "period_id",
            unique=True,
            sqlite_where=text(_CURRENT),
            postgresql_where=text(_CURRENT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.id", ondelete="CASCADE"), index=True)
    net_sales: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(500))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # a correction replaced it

    period: Mapped[RoyaltyPeriod] = relationship(back_populates="reports")
    reported_by: Mapped[User] = relationship()

    @property
    def sales(self) -> Money:
        return Money(self.net_sales, self.currency)


class RoyaltyInvoice(db.Model):
    """Rate x reported sales, topped up to the annual minimum in a licence year's last period."""

    __tablename__ = "royalty_invoices"
    __table_args__ = (
        CheckConstraint(_in("status", INVOICE_STATUSES), name="status"),
        CheckConstraint("royalty_amount >= 0 AND top_up_amount >= 0", name="parts_not_negative"),
        CheckConstraint("amount = royalty_amount + top_up_amount", name="amount_is_sum"),
        UniqueConstraint("period_id"),
        UniqueConstraint("reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(40))  # "R-<deal reference>-<period>", shown to people
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    royalty_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # rate x this period's sales
    top_up_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))  # to the minimum
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    calculation: Mapped[dict[str, Any]] = mapped_column(JSON)  # the figures behind it, as strings
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    period: Mapped[RoyaltyPeriod] = relationship(back_populates="invoice")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class RoyaltyReminder(db.Model):
    """A reminder already sent: one per period and kind, so the tick never repeats itself."""

    __tablename__ = "royalty_reminders"
    __table_args__ = (
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
        UniqueConstraint("period_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

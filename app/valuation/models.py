"""Valuation persistence: versioned parameter sets with their events, stored valuations, closed deals."""

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

from app.accounts.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db
from app.valuation import states

ENSEMBLE_ID = "ensemble"  # the parameter set holding the fair-value weights per listing type
BASELINE_ID = "baseline"  # backtest rival: leave-one-out median of the other deals of the same type

# Kinds of stored valuation row.
MODEL_ROW = "model"  # one model's result for one patent
ENSEMBLE_ROW = "ensemble"  # the fair value range combined from the model rows of the same run
# How much of the engine's result a row keeps.
FULL_FORM = "full"  # ValuationResult.to_dict(): drivers, steps, histogram (interactive valuations)
BATCH_FORM = "batch"  # BatchResult.row(): figures and flags only (bulk revaluations)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ParameterSet(TimestampMixin, db.Model):
    """One immutable-once-submitted version of a model's parameters (or of the ensemble weights)."""

    __tablename__ = "valuation_parameter_sets"
    __table_args__ = (
        UniqueConstraint("model_id", "version"),
        CheckConstraint(_in("status", states.STATUSES), name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Four eyes, enforced by the database as well as the service.
        CheckConstraint(
            "approved_by_id IS NULL OR (approved_by_id <> submitted_by_id AND approved_by_id <> created_by_id)",
            name="four_eyes",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[str] = mapped_column(String(64), index=True)  # engine model id, or "ensemble"
    model_version: Mapped[str | None] = mapped_column(
        String(32)
    )  # engine model version the params were checked against
    version: Mapped[int]  # 1, 2, 3 ... per model_id
    status: Mapped[str] = mapped_column(String(20), default=states.DRAFT, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # validated parameters, defaults filled in
    reason: Mapped[str] = mapped_column(Text, default="")  # why this version exists (author's note)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # or rejected by
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # approved or rejected
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The active version when this one was drafted; the diff is against it.
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("valuation_parameter_sets.id"))
    # For rollbacks: the older version whose parameters were copied.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("valuation_parameter_sets.id"))
    diff: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list
    )  # [{path, old, new}] vs predecessor

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    predecessor: Mapped[ParameterSet | None] = relationship(remote_side=[id], foreign_keys=[predecessor_id])
    based_on: Mapped[ParameterSet | None] = relationship(remote_side=[id], foreign_keys=[based_on_id])
    events: Mapped[list[ParameterSetEvent]] = relationship(
        back_populates="parameter_set", order_by="ParameterSetEvent.id", cascade="all, delete-orphan"
    )

    @property
    def tag(self) -> str:
        return f"{self.model_id} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == states.DRAFT

    @property
    def editor_ids(self) -> set[int]:
        """Everyone who changed this version's numbers: its author and whoever edited the draft."""
        edited = {e.actor_id for e in self.events if e.action == states.EDIT and e.actor_id is not None}
        return edited | ({self.created_by_id} if self.created_by_id is not None else set())

    def can_approve(self, user: User) -> bool:
        """Four eyes: neither the author, nor anyone who edited it, nor the submitter may decide."""
        return (
            self.status == states.PENDING
            and user is not None
            and user.id not in self.editor_ids | {self.submitted_by_id}
        )


class ParameterSetEvent(db.Model):
    """Append-only log of every transition: who, when, from, to, why."""

    __tablename__ = "valuation_parameter_set_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    parameter_set_id: Mapped[int] = mapped_column(
        ForeignKey("valuation_parameter_sets.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None for the system (seed)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))  # None for the creation event
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # edits: [{path, old, new}]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parameter_set: Mapped[ParameterSet] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class StoredValuation(db.Model):
    """A valuation exactly as shown: inputs, parameters, seed, model and code versions, and the result."""

    __tablename__ = "valuations"
    __table_args__ = (
        CheckConstraint(_in("kind", (MODEL_ROW, ENSEMBLE_ROW)), name="kind_known"),
        CheckConstraint(_in("result_form", (FULL_FORM, BATCH_FORM)), name="form_known"),
        CheckConstraint("low IS NULL OR low >= 0", name="low_not_negative"),
        CheckConstraint("low IS NULL OR mid IS NULL OR low <= mid", name="low_le_mid"),
        CheckConstraint("mid IS NULL OR high IS NULL OR mid <= high", name="mid_le_high"),
        CheckConstraint("low IS NULL OR currency IS NOT NULL", name="money_has_currency"),
        Index("ix_valuations_patent_current", "patent_id", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32), index=True)  # groups the model rows and the ensemble row
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # MODEL_ROW or ENSEMBLE_ROW
    model_id: Mapped[str] = mapped_column(String(64))  # engine model id, or "ensemble"
    model_version: Mapped[str] = mapped_column(String(32))
    parameter_set_id: Mapped[int | None] = mapped_column(ForeignKey("valuation_parameter_sets.id"))
    parameter_set_version: Mapped[int | None]
    listing_type: Mapped[str] = mapped_column(String(20), default="default")  # whose weights were used
    seed: Mapped[int]
    input_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # the facts the model read
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # engine's to_dict() / batch row / range
    result_form: Mapped[str] = mapped_column(String(10), default=FULL_FORM)
    code_version: Mapped[str] = mapped_column(String(64))  # engine_version(): semver + source hash
    value: Mapped[Decimal | None] = mapped_column(Numeric(24, 4))  # point value (CNY) or score
    low: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # P10 (or the point value)
    mid: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # P50 (or the point value)
    high: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # P90 (or the point value)
    currency: Mapped[str | None] = mapped_column(String(3))
    is_current: Mapped[bool] = mapped_column(default=True)  # the row shown for this patent and model
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    parameter_set: Mapped[ParameterSet | None] = relationship()

    @property
    def model_tag(self) -> str:
        return f"{self.model_id}@{self.model_version}"


class ClosedDeal(TimestampMixin, db.Model):
    """A comparable closed transaction with a snapshot of the patent's facts when it closed.

    The market capability feeds real deals here; until then the seed adds clearly labelled
    generated demo deals (``is_generated``), which the pages and the backtest say are not real.
    """

    __tablename__ = "closed_deals"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint(_in("deal_type", ("assignment", "licence")), name="deal_type_known"),
        UniqueConstraint("reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))  # idempotency key: "demo-017", "deal-123"
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id", ondelete="SET NULL"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    closed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    deal_type: Mapped[str] = mapped_column(String(20))  # assignment / licence
    exclusive: Mapped[bool] = mapped_column(default=True)
    field: Mapped[str | None] = mapped_column(String(8), index=True)  # main IPC subclass, e.g. "H01M"
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # engine input facts at closing
    is_generated: Mapped[bool] = mapped_column(default=False)  # demo data, not a real transaction
    note: Mapped[str] = mapped_column(Text, default="")

    def as_comparable(self) -> dict[str, Any]:
        """The record the market-comparables model reads."""
        snap = self.snapshot or {}
        return {
            "id": self.reference,
            "price": float(self.price),
            "date": self.closed_on.isoformat(),
            "deal_type": self.deal_type,
            "exclusive": self.exclusive,
            "ipc_main": self.field or snap.get("ipc_main"),
            "remaining_years": snap.get("remaining_years"),
            "family_size": snap.get("family_size"),
            "claims_count": snap.get("claims_count"),
        }


# Ways to build the discount rate for a patent's income.
BUILD_UP = "build_up"  # 累加法: risk-free rate + technology, market, financial and management premia
WACC = "wacc"  # weighted average cost of capital plus an IP-specific premium
DISCOUNT_METHODS = (BUILD_UP, WACC)
# The currencies income can be entered in: CNY and those of the offices with an exchange rate table.
INCOME_CURRENCIES = ("CNY", "USD", "EUR", "JPY")
# Where the royalty rate comes from.
ROYALTY_EVIDENCE = ("comparable_licences", "industry_table", "profit_split", "other")


class IncomeInput(TimestampMixin, db.Model):
    """Patent-specific income inputs for one listing type, entered by the owner or an assessor.

    Without such a record (or without revenue in it) the income approaches use platform defaults
    and stay out of the fair value range. Money is per year in ``currency`` (converted to CNY with the
    rate on the valuation date); rates are fractions (0.05 = 5 %).
    """

    __tablename__ = "valuation_income_inputs"
    __table_args__ = (
        UniqueConstraint("patent_id", "listing_type"),
        CheckConstraint(
            "attribution IS NULL OR (attribution > 0 AND attribution <= 1)", name="attribution_share"
        ),
        CheckConstraint(
            "royalty_rate IS NULL OR (royalty_rate > 0 AND royalty_rate < 1)", name="royalty_share"
        ),
        CheckConstraint(
            "probability_of_grant IS NULL OR (probability_of_grant >= 0 AND probability_of_grant <= 1)",
            name="grant_probability",
        ),
        CheckConstraint("economic_life_years IS NULL OR economic_life_years > 0", name="life_positive"),
        CheckConstraint(_in("discount_method", DISCOUNT_METHODS), name="discount_method_known"),
        CheckConstraint(_in("currency", INCOME_CURRENCIES), name="currency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    listing_type: Mapped[str] = mapped_column(String(20), default="default")  # default = ownership
    field_of_use: Mapped[str | None] = mapped_column(String(200))  # licences: the licensed field
    territory: Mapped[str | None] = mapped_column(String(200))  # licences: the licensed territory
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")  # of the amounts
    revenue_forecast: Mapped[list[str] | None] = mapped_column(JSON)  # per year, as decimal strings
    market_size: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))  # per year, instead of a forecast
    market_share: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # share of that market, 0-1
    attribution: Mapped[Decimal | None] = mapped_column(
        Numeric(7, 6)
    )  # share of the revenue due to this patent
    royalty_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    royalty_evidence_kind: Mapped[str | None] = mapped_column(String(30))  # one of ROYALTY_EVIDENCE
    royalty_evidence: Mapped[str | None] = mapped_column(Text)  # the licences, table or split it rests on
    economic_life_years: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # capped by the legal term
    discount_method: Mapped[str] = mapped_column(String(10), default=BUILD_UP)
    risk_free_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # e.g. the 10-year bond yield
    technology_premium: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    market_premium: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    financial_premium: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    management_premium: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    wacc: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    ip_premium: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # added to the WACC
    probability_of_grant: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # applications only
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_as: Mapped[str] = mapped_column(String(10), default="owner")  # owner / assessor
    note: Mapped[str] = mapped_column(Text, default="")

    entered_by: Mapped[User | None] = relationship()

"""The engagement behind a valuation report (purpose, basis of value, valuation date, right valued,
assumptions, special matters) and the assessor's sign-off with a hash of the figures signed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.lifecycle import Lifecycle
from app.core.models import TimestampMixin, UTCDateTime
from app.extensions import db

# Purposes of a valuation (资产评估目的), as the Chinese guidance lists them.
PURPOSES = ("transfer", "licence", "pledge", "capital_contribution", "litigation", "financial_reporting")
# Bases of value (价值类型).
BASES = ("market_value", "investment_value", "liquidation_value")

# Statuses: a draft may be edited by its author, the owner or an assessor; a signed one never changes.
DRAFT = "draft"  # being written; not signed
SIGNED = "signed"  # signed off by an assessor; immutable, later changes need a new engagement
SIGN = "sign"

PURPOSE_LABELS = {
    "transfer": _l("Transfer (assignment)"),
    "licence": _l("Licence"),
    "pledge": _l("Pledge financing"),
    "capital_contribution": _l("Capital contribution"),
    "litigation": _l("Litigation"),
    "financial_reporting": _l("Financial reporting"),
}
BASIS_LABELS = {
    "market_value": _l("Market value"),
    "investment_value": _l("Investment value"),
    "liquidation_value": _l("Liquidation value"),
}
STATUS_LABELS = {DRAFT: _l("Draft, not signed"), SIGNED: _l("Signed off")}
ENGAGEMENT = Lifecycle(
    name="valuation_engagement",
    transitions={(DRAFT, SIGN): SIGNED},
    status_labels=STATUS_LABELS,
    action_labels={SIGN: _l("Sign off"), "edit": _l("Edit")},
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Engagement(TimestampMixin, db.Model):
    """One engagement per valuation report (patent and right valued); the newest is shown."""

    __tablename__ = "valuation_engagements"
    __table_args__ = (
        CheckConstraint(_in("purpose", PURPOSES), name="purpose_known"),
        CheckConstraint(_in("basis_of_value", BASES), name="basis_known"),
        CheckConstraint(_in("status", (DRAFT, SIGNED)), name="status_known"),
        Index("ix_valuation_engagements_patent_listing", "patent_id", "listing_type", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    listing_type: Mapped[str] = mapped_column(String(20), default="default")  # which report it belongs to
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    purpose: Mapped[str] = mapped_column(String(30))
    basis_of_value: Mapped[str] = mapped_column(String(30))
    valuation_date: Mapped[dt.date] = mapped_column(Date)  # 评估基准日, separate from the report date
    right_valued: Mapped[str] = mapped_column(String(300))  # ownership, or which licence, field, territory
    general_assumptions: Mapped[str] = mapped_column(Text, default="")  # 一般假设
    special_assumptions: Mapped[str] = mapped_column(Text, default="")  # 特殊假设
    special_matters: Mapped[str] = mapped_column(Text, default="")  # 特别事项说明
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("valuation_engagements.id"))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str | None] = mapped_column(String(200))  # as the assessor signs
    signer_qualification: Mapped[str | None] = mapped_column(String(200))  # e.g. licence number
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the report figures signed
    figures_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of their canonical JSON

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def is_signed(self) -> bool:
        return self.status == SIGNED

"""Patent-specific income inputs: who may enter them, how they become engine parameters, and what
happens to the range without them.

The income approaches (relief from royalty, profit split) read the platform's illustrative
parameter sets unless the owner or an assessor has entered this patent's revenue. Only then do they
enter the fair value range; otherwise they are shown as "illustrative, platform defaults".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import is_assessor_or_admin
from app.core.errors import PermissionDenied
from app.extensions import db
from app.valuation import fx
from app.valuation.engine.result import Text
from app.valuation.models import BUILD_UP, INCOME_CURRENCIES, IncomeInput

INCOME_MODELS = ("rfr", "profit_split")
# Probability that a pending application is granted, by office: approximate recent grant (CN) and
# allowance (US) rates, a starting point the owner or assessor replaces with a reasoned figure.
DEFAULT_GRANT_PROBABILITY = {"CN": 0.5, "US": 0.55}
FALLBACK_GRANT_PROBABILITY = 0.5
# Corporate income tax on the income the patent earns where it is protected: CN enterprise income tax
# (the parameter set's rate; 15 % for high-tech enterprises is an assessor's choice there), US federal.
INCOME_TAX_BY_OFFICE = {"CN": 0.25, "US": 0.21}
FIELDS = (
    "currency",
    "field_of_use",
    "territory",
    "revenue_forecast",
    "market_size",
    "market_share",
    "attribution",
    "royalty_rate",
    "royalty_evidence_kind",
    "royalty_evidence",
    "economic_life_years",
    "discount_method",
    "risk_free_rate",
    "technology_premium",
    "market_premium",
    "financial_premium",
    "management_premium",
    "wacc",
    "ip_premium",
    "probability_of_grant",
    "note",
)

ILLUSTRATIVE = Text(
    "income_illustrative",
    "收益法仅为示意（平台默认参数）：尚未录入该专利的收入预测，因此收益法不计入公允价值区间。",
    "The income approaches are illustrative (platform defaults): no revenue has been entered for this "
    "patent, so they stay out of the fair value range.",
)


def can_enter(patent: Any, actor: User | None) -> bool:
    """The patent's owner, or an assessor or administrator."""
    if actor is None or not actor.is_authenticated:
        return False
    return is_assessor_or_admin(actor) or patent.owner_id == actor.id


def default_income_currency(patent: Any) -> str:
    """The patent's office currency when income can be entered in it, else CNY."""
    currency = fx.patent_currency(patent.jurisdiction)
    return currency if currency in INCOME_CURRENCIES else fx.BASE


def get_input(patent_id: int, listing_type: str = "default") -> IncomeInput | None:
    return db.session.scalar(
        select(IncomeInput).where(
            IncomeInput.patent_id == patent_id, IncomeInput.listing_type == listing_type
        )
    )


def save_input(patent: Any, listing_type: str, values: Mapping[str, Any], actor: User) -> IncomeInput:
    """Create or replace the patent's income inputs for one listing type (validated by the form)."""
    if not can_enter(patent, actor):
        raise PermissionDenied(_("Only the patent's owner or an assessor can enter its income inputs."))
    record = get_input(patent.id, listing_type)
    if record is None:
        record = IncomeInput(patent_id=patent.id, listing_type=listing_type)
        db.session.add(record)
    for name in FIELDS:
        if name in values:
            setattr(record, name, values[name])
    record.discount_method = record.discount_method or BUILD_UP
    record.entered_by_id = actor.id
    record.entered_as = "owner" if patent.owner_id == actor.id else "assessor"
    db.session.flush()
    return record


def _f(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def discount_rate(record: IncomeInput) -> float | None:
    """累加法 (risk-free + premia) or WACC + IP premium; None when the parts are missing."""
    if record.discount_method == BUILD_UP:
        if record.risk_free_rate is None:
            return None
        premia = (
            record.technology_premium,
            record.market_premium,
            record.financial_premium,
            record.management_premium,
        )
        return float(record.risk_free_rate + sum(p or Decimal(0) for p in premia))
    if record.wacc is None:
        return None
    return float(record.wacc + (record.ip_premium or Decimal(0)))


def revenues(record: IncomeInput, cny_per_unit: Decimal = Decimal(1)) -> list[float] | None:
    """Revenue attributable to the patent per year in CNY: the forecast (or market size x share) x
    attribution, converted from the record's currency at ``cny_per_unit``."""
    share = float(record.attribution) if record.attribution is not None else 1.0
    rate = float(cny_per_unit)
    if record.revenue_forecast:
        return [round(float(Decimal(x)) * rate * share, 2) for x in record.revenue_forecast]
    if record.market_size is not None and record.market_share is not None:
        return [round(float(record.market_size * record.market_share) * rate * share, 2)]
    return None


def currency_fact(currency: str, on: dt.date) -> dict[str, Any]:
    """The rate that turns the entered amounts into CNY on the valuation date, or that it is missing."""
    row = fx.rate_on(currency, on) if currency != fx.BASE else None
    return fx.RateBook([row] if row is not None else []).fact(currency, on)


def income_fact(record: IncomeInput | None, on: dt.date) -> dict[str, Any] | None:
    """The inputs as stored with the facts (so an edit, or a new rate, makes the stored valuation
    stale). Amounts entered in another currency count only while a rate on ``on`` exists."""
    if record is None:
        return None
    currency = currency_fact(record.currency or fx.BASE, on)
    usable = fx.has_rate(currency)
    return {
        "revenues": revenues(record, Decimal(currency["rate"])) if usable else None,
        "currency": currency,
        "single_year": not record.revenue_forecast,  # market size x share: one year, repeated
        "royalty_rate": _f(record.royalty_rate),
        "royalty_evidence_kind": record.royalty_evidence_kind,
        "discount_rate": discount_rate(record),
        "discount_method": record.discount_method,
        "economic_life": _f(record.economic_life_years),
        "probability_of_grant": _f(record.probability_of_grant),
        "field_of_use": record.field_of_use,
        "territory": record.territory,
        "entered_as": record.entered_as,
    }


def has_revenue(facts: Mapping[str, Any]) -> bool:
    income = facts.get("income") or {}
    return bool(income.get("revenues"))


def patent_params(model_id: str, params: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The parameter set's values with this patent's own inputs in place of the platform defaults."""
    if model_id not in INCOME_MODELS or not has_revenue(facts):
        return dict(params)
    income = facts["income"]
    out = dict(params)
    yearly = income["revenues"]
    life = income.get("economic_life") or out["years"]
    if income.get("single_year"):
        yearly = yearly * max(1, int(round(min(life, 20.0))))
    out |= {"revenues": yearly, "revenue": None, "growth": 0.0, "growth_dist": None, "revenue_dist": None}
    out["years"] = min(float(life), 20.0)
    if income.get("discount_rate") is not None:
        out["discount_rate"] = income["discount_rate"]
    if model_id == "rfr" and income.get("royalty_rate") is not None:
        out["royalty_rate"] = income["royalty_rate"]
    if facts.get("jurisdiction") in INCOME_TAX_BY_OFFICE and facts["jurisdiction"] != "CN":
        out["tax_rate"] = INCOME_TAX_BY_OFFICE[facts["jurisdiction"]]  # the parameter set's rate is CN's
    return out


def grant_probability(facts: Mapping[str, Any]) -> float | None:
    """For a pending application: the entered probability, or the office default; None once granted."""
    if facts.get("legal_status") != "pending":
        return None
    entered = (facts.get("income") or {}).get("probability_of_grant")
    if entered is not None:
        return float(entered)
    return DEFAULT_GRANT_PROBABILITY.get(facts.get("jurisdiction", ""), FALLBACK_GRANT_PROBABILITY)


def licence_share(facts: Mapping[str, Any]) -> float:
    """Share of the remaining term an exclusive licence in force takes from the owner (0 when none)."""
    licence = facts.get("exclusive_licence")
    remaining = float(facts.get("remaining_years") or 0.0)
    if not licence or remaining <= 0:
        return 0.0
    left = licence.get("years_left")
    return 1.0 if left is None else min(max(float(left) / remaining, 0.0), 1.0)

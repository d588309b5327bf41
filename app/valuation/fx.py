"""Exchange rates for valuations: the patent's currency, the rate on or before the valuation date,
and the administrator's verb that adds a rate.

Every amount the engine computes is in CNY, the platform's base currency: parameter sets,
comparable deal prices and calibrations are all CNY. A patent protected elsewhere (US -> USD) is
shown in its own currency as well, converted with one dated rate from ``valuation_fx_rates``; the
rate travels with the patent's facts (``facts["fx"]``), so the report, the patent page, the
listing comparison and the API all use the rate the stored valuation used, and a new rate makes
the stored valuation stale.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import record_audit
from app.core.errors import Conflict, DomainError
from app.extensions import db
from app.valuation.fx_models import DEMO_SOURCE, FxRate

BASE = "CNY"
# The currency a patent's income is earned in, by filing office (others fall back to CNY).
OFFICE_CURRENCY = {"CN": "CNY", "US": "USD", "EP": "EUR", "JP": "JPY"}
# Sane bounds for CNY per unit: from the Indonesian rupiah (~0.0004) to the Kuwaiti dinar (~23), widely.
MIN_RATE = Decimal("0.00001")
MAX_RATE = Decimal("1000")
CENT = Decimal("0.01")
# Demo rates (CNY per unit), labelled with DEMO_SOURCE: approximate, for the demo data only.
DEMO_RATES = (
    ("USD", "7.1000", dt.date(2025, 1, 1)),
    ("EUR", "7.7500", dt.date(2025, 1, 1)),
    ("JPY", "0.0480", dt.date(2025, 1, 1)),
)


class InvalidRate(DomainError):
    status_code = 422


def patent_currency(jurisdiction: str | None) -> str:
    """The currency of the patent's office (CN -> CNY, US -> USD)."""
    return OFFICE_CURRENCY.get((jurisdiction or "CN").upper(), BASE)


class RateBook:
    """Every rate, read once: answers 'the rate on or before this day' without a query per patent."""

    def __init__(self, rows: list[FxRate] | None = None) -> None:
        if rows is None:
            rows = list(db.session.scalars(select(FxRate).order_by(FxRate.currency, FxRate.effective_on)))
        self._by: dict[str, list[FxRate]] = {}
        for row in rows:
            self._by.setdefault(row.currency, []).append(row)

    def on(self, currency: str, day: dt.date) -> FxRate | None:
        rows = self._by.get(currency, [])
        i = bisect_right([r.effective_on for r in rows], day)
        return rows[i - 1] if i else None

    def fact(self, currency: str, day: dt.date) -> dict[str, Any]:
        """What a valuation stores about its currency: the rate used, or that it is missing."""
        if currency == BASE:
            return {"currency": BASE, "rate": "1"}
        row = self.on(currency, day)
        if row is None:
            return {"currency": currency, "missing": True, "on": day.isoformat()}
        return {
            "currency": currency,
            "rate": str(row.rate_to_cny.normalize()),
            "effective_on": row.effective_on.isoformat(),
            "source": row.source,
            "demo": row.is_demo,
        }


def rate_on(currency: str, day: dt.date) -> FxRate | None:
    """The latest rate of the currency effective on or before the day."""
    return db.session.scalar(
        select(FxRate)
        .where(FxRate.currency == currency, FxRate.effective_on <= day)
        .order_by(FxRate.effective_on.desc())
        .limit(1)
    )


def fx_fact(jurisdiction: str | None, day: dt.date) -> dict[str, Any]:
    """The currency fact of one patent valued on ``day`` (one query)."""
    currency = patent_currency(jurisdiction)
    row = rate_on(currency, day) if currency != BASE else None
    return RateBook([row] if row is not None else []).fact(currency, day)


def has_rate(fact: Mapping[str, Any] | None) -> bool:
    return bool(fact) and not fact.get("missing") and fact.get("rate") is not None


def from_cny(amount: Decimal | None, fact: Mapping[str, Any] | None) -> Decimal | None:
    """A CNY amount in the fact's currency (None without an amount or a rate)."""
    if amount is None or not has_rate(fact):
        return None
    return (Decimal(amount) / Decimal(fact["rate"])).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cny(amount: Decimal | None, fact: Mapping[str, Any] | None) -> Decimal | None:
    """An amount in the fact's currency in CNY (None without an amount or a rate)."""
    if amount is None or not has_rate(fact):
        return None
    return (Decimal(amount) * Decimal(fact["rate"])).quantize(CENT, rounding=ROUND_HALF_UP)


def rates() -> list[FxRate]:
    """Every rate, newest first within each currency (the administrator's list)."""
    return list(db.session.scalars(select(FxRate).order_by(FxRate.currency, FxRate.effective_on.desc())))


def exists(currency: str, effective_on: dt.date) -> bool:
    return (
        db.session.scalar(
            select(FxRate.id).where(FxRate.currency == currency, FxRate.effective_on == effective_on)
        )
        is not None
    )


def add_rate(currency: str, rate: Decimal, effective_on: dt.date, source: str, actor: User) -> FxRate:
    """Add a dated rate (never edit one: valuations name the rate they used); audited."""
    currency = (currency or "").strip().upper()
    try:
        rate = Decimal(rate)
    except (InvalidOperation, TypeError):
        raise InvalidRate(_("The rate must be a number."), {"rate_to_cny": "number"}) from None
    if len(currency) != 3 or not currency.isalpha() or currency == BASE:
        raise InvalidRate(_("Give a three-letter currency code other than CNY."), {"currency": "code"})
    if not MIN_RATE <= rate <= MAX_RATE:
        raise InvalidRate(
            _("The rate must lie between %(low)s and %(high)s CNY.", low=MIN_RATE, high=MAX_RATE),
            {"rate_to_cny": "bounds"},
        )
    if exists(currency, effective_on):
        raise Conflict(
            _(
                "A %(currency)s rate effective on %(day)s exists already.",
                currency=currency,
                day=effective_on,
            ),
            {"effective_on": "duplicate"},
        )
    row = FxRate(
        currency=currency,
        rate_to_cny=rate,
        effective_on=effective_on,
        source=source.strip(),
        entered_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    record_audit(
        actor,
        "fx_rate.added",
        "fx_rate",
        row.id,
        currency=currency,
        rate_to_cny=str(rate),
        effective_on=effective_on.isoformat(),
        source=row.source,
    )
    return row


def seed_demo_rates(echo: Callable[[str], None]) -> None:
    """Idempotent: the demo's USD, EUR and JPY rates, entered by the platform and labelled demo."""
    from app.core.actors import ensure_system_actor

    system = ensure_system_actor()
    added = 0
    for currency, rate, day in DEMO_RATES:
        if not exists(currency, day):
            add_rate(currency, Decimal(rate), day, DEMO_SOURCE, system)
            added += 1
    echo(f"  {added} demo exchange rates added (source: {DEMO_SOURCE})")

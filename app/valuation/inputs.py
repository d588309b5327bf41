"""Engine inputs from a catalogue patent: a pure mapping, no database or request needed.

The catalogue's legal statuses differ from the engine's: ``granted`` is ``valid`` (or
``valid_after_invalidation`` once it survived an invalidation request), ``invalidated`` is
``invalid``. A patent without an expiry date gets its remaining term from the statutory term.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.catalogue.terms import remaining_years as years_left
from app.valuation.engine.tables import LEGAL_TERM_YEARS

LISTING_TYPES = ("default", "assignment", "licence")  # ensemble weights are chosen per listing type
_STATUS = {
    "granted": "valid",
    "pending": "pending",
    "lapsed": "lapsed",
    "expired": "expired",
    "invalidated": "invalid",
}
MAX_TERM = 20.0


def engine_legal_status(status: str | None, granted: bool, survived_invalidation: bool) -> str:
    """The engine's status word for a catalogue status."""
    if status is None:
        return "valid" if granted else "pending"
    mapped = _STATUS.get(status, "valid")
    return "valid_after_invalidation" if mapped == "valid" and survived_invalidation else mapped


def remaining_term(patent: Any, on: dt.date) -> float:
    """Years of protection left, capped to the engine's 0-20 range."""
    left = years_left(patent.expiry_date, on)
    if left is None and patent.filing_date is not None:
        term = LEGAL_TERM_YEARS.get(patent.patent_type, 20)
        left = max((patent.filing_date.replace(year=patent.filing_date.year + term) - on).days, 0) / 365.25
    if left is None:
        return 0.0
    if patent.legal_status in ("lapsed", "expired", "invalidated"):
        return 0.0
    return round(min(max(float(left), 0.0), MAX_TERM), 2)


def _main_subclass(patent: Any) -> str | None:
    codes = sorted(getattr(patent, "classifications", []) or [], key=lambda c: (not c.is_main, c.position))
    for code in codes:
        if code.scheme == "ipc" and code.subclass:
            return code.subclass
    return codes[0].subclass if codes and codes[0].subclass else None


def _subclasses(patent: Any) -> list[str]:
    seen: list[str] = []
    for code in getattr(patent, "classifications", []) or []:
        if code.subclass and code.subclass not in seen:
            seen.append(code.subclass)
    return seen


def _pledged(pledges: Iterable[Any], on: dt.date) -> float:
    total = Decimal(0)
    for pledge in pledges:
        active = pledge.released_on is None or pledge.released_on > on
        if active and pledge.amount is not None and (pledge.currency or "CNY") == "CNY":
            total += pledge.amount
    return float(total)


def _fee_year(patent: Any) -> int | None:
    paid = patent.annual_fee_paid_year
    return None if paid is None else max(1, min(int(paid) + 1, 20))


def patent_facts(
    patent: Any, *, on: dt.date, listing_type: str = "default", ask_price: Decimal | None = None
) -> dict[str, Any]:
    """Every fact any built-in model reads, from the patent's typed columns."""
    events = getattr(patent, "events", []) or []
    survived = any(e.event_type == "invalidation" for e in events)
    family = sorted({c.upper() for c in (patent.family_countries or [])} | {patent.jurisdiction.upper()})
    facts: dict[str, Any] = {
        "remaining_years": remaining_term(patent, on),
        "patent_type": patent.patent_type if patent.patent_type in LEGAL_TERM_YEARS else "invention",
        "legal_status": engine_legal_status(patent.legal_status, patent.grant_date is not None, survived),
        "family_countries": family,
        "family_size": max(int(patent.family_size or 1), len(family)),
        "claims_count": patent.claims_count,
        "independent_claims_count": patent.independent_claims_count,
        "forward_citations": patent.forward_citations,
        "backward_citations": patent.backward_citations,
        "filing_year": patent.filing_date.year if patent.filing_date else None,
        "ipc_main": _main_subclass(patent),
        "ipc_classes": _subclasses(patent),
        "annual_fee_year": _fee_year(patent),
        "pledge_amount": _pledged(getattr(patent, "pledges", []) or [], on),
        "deal_type": "licence" if listing_type == "licence" else "assignment",
        "exclusive": listing_type != "licence",
    }
    if ask_price is not None:
        facts["ask_price"] = float(ask_price)
    return facts


def model_inputs(
    model: Any, facts: Mapping[str, Any], shared: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The subset of facts a model declares (None values dropped), plus shared data such as comparables."""
    names = {spec.name for spec in model.input_schema}
    out = {k: v for k, v in facts.items() if k in names and v is not None}
    for key, value in (shared or {}).items():
        if key in names:
            out[key] = value
    return out

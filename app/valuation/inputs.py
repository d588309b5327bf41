"""Engine inputs from a catalogue patent: a pure mapping, no database or request needed.

Whether the right is in force, and for how long, comes from ``rights.rights_on`` (status word,
computed end of term, annual fees, invalidation outcomes), not from the status word alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.valuation.engine.tables import FEE_OFFICES, LEGAL_TERM_YEARS
from app.valuation.fx import fx_fact
from app.valuation.income import income_fact
from app.valuation.rights import Rights, remaining_years, rights_on

LISTING_TYPES = ("default", "assignment", "licence")  # ensemble weights are chosen per listing type
MAX_TERM = 20.0
EXCLUSIVE_TYPES = ("exclusive", "sole")


def rights_fact(rights: Rights) -> dict[str, Any]:
    """The right's standing as stored with the facts, so the report can say why and since when."""
    return {
        "in_force": rights.in_force,
        "reason": None if rights.reason is None else rights.reason.__dict__,
        "warnings": [w.__dict__ for w in rights.warnings],
        "expiry": None if rights.expiry is None else rights.expiry.isoformat(),
        "expiry_basis": rights.expiry_basis,
        "invalidations": dict(sorted(rights.invalidations.items())),
    }


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


def _exclusive_licence(licences: Iterable[Any], on: dt.date) -> dict[str, Any] | None:
    """The exclusive (or sole) licence in force on the date, if any: it takes the licensed field's
    income from the owner until it ends."""
    for licence in licences:
        started = licence.recorded_on is None or licence.recorded_on <= on
        running = licence.until is None or licence.until > on
        if licence.licence_type in EXCLUSIVE_TYPES and started and running:
            left = None if licence.until is None else round((licence.until - on).days / 365.25, 2)
            return {"type": licence.licence_type, "years_left": left, "field": licence.field}
    return None


def patent_facts(
    patent: Any,
    *,
    on: dt.date,
    listing_type: str = "default",
    ask_price: Decimal | None = None,
    income: Any = None,
    fx: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every fact any built-in model reads, from the patent's typed columns."""
    rights = rights_on(patent, on)
    office = (patent.jurisdiction or "CN").upper()
    family = sorted({c.upper() for c in (patent.family_countries or [])} | {patent.jurisdiction.upper()})
    facts: dict[str, Any] = {
        "remaining_years": remaining_years(rights, on, MAX_TERM),
        "patent_type": patent.patent_type if patent.patent_type in LEGAL_TERM_YEARS else "invention",
        "legal_status": rights.status,
        "jurisdiction": office if office in FEE_OFFICES else "other",
        "rights": rights_fact(rights),
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
        "income": income_fact(income, on),
        "generated": bool(getattr(patent, "generated_fields", None)),
        "exclusive_licence": _exclusive_licence(getattr(patent, "licences", None) or (), on),
        "deal_type": "licence" if listing_type == "licence" else "assignment",
        "exclusive": listing_type != "licence",
    }
    # The rate between CNY and the patent's currency on the valuation date (given by the bulk path).
    facts["fx"] = dict(fx) if fx is not None else fx_fact(office, on)
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

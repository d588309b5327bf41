"""The valuation range shown beside the ask, read from the stored valuations (never written here).

For a bundle the patents' ranges are added (a sum of percentiles: a wider band than the true
P10-P90 of the sum, which errs towards "within range"), and the ask is apportioned over the
patents in proportion to their midpoints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.catalogue.display import publication_display
from app.extensions import db
from app.market.listing_models import Listing
from app.valuation import fx
from app.valuation.engine import Combined
from app.valuation.models import ENSEMBLE_ROW, StoredValuation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PatentValue:
    patent_id: int
    label: str
    low: Decimal
    mid: Decimal
    high: Decimal
    model_version: str
    parameter_set_version: int | None
    valued_at: dt.datetime
    apportioned_ask: Decimal | None = None


@dataclass(frozen=True)
class ListingValue:
    low: Decimal
    mid: Decimal
    high: Decimal
    currency: str
    placement: str | None  # "below", "within", "above" the range, or None without an ask
    parts: list[PatentValue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # patents without a stored valuation
    mean: Decimal | None = None  # of the combined distribution (the conclusion is the mid, its P50)
    prob_below_ask: Decimal | None = None  # P(value < ask) from the same distribution; None without an ask
    rates: list[dict] = field(
        default_factory=list
    )  # the FX rates used to show CNY valuations in this currency

    @property
    def valued_at(self) -> dt.datetime:
        return min(p.valued_at for p in self.parts)

    @property
    def model_versions(self) -> str:
        return ", ".join(sorted({p.model_version for p in self.parts}))


def valuation_listing_type(listing: Listing) -> str:
    """The valuation's weights that fit the rights on offer (ownership versus a licence)."""
    return "assignment" if listing.right_type == "assignment" else "licence"


def _current_rows(patent_ids: list[int], listing_type: str) -> dict[int, StoredValuation]:
    rows = db.session.scalars(
        select(StoredValuation).where(
            StoredValuation.patent_id.in_(patent_ids),
            StoredValuation.kind == ENSEMBLE_ROW,
            StoredValuation.is_current.is_(True),
            StoredValuation.listing_type.in_((listing_type, "default")),
            StoredValuation.low.is_not(None),
        )
    ).all()
    chosen: dict[int, StoredValuation] = {}
    for row in rows:  # the listing type's own range wins over the default one
        if row.patent_id not in chosen or row.listing_type == listing_type:
            chosen[row.patent_id] = row
    return chosen


def placement(ask: Decimal | None, low: Decimal, high: Decimal) -> str | None:
    if ask is None:
        return None
    if ask < low:
        return "below"
    return "above" if ask > high else "within"


def listing_value(listing: Listing) -> ListingValue | None:
    """The range for the listing's patents, or None when none of them is valued."""
    links = listing.patent_links or []
    patents = [link.patent for link in links] or (list(listing.project.patents) if listing.project else [])
    if not patents:
        return None
    rows = _current_rows([p.id for p in patents], valuation_listing_type(listing))
    facts = {pid: _rate(row, listing.currency) for pid, row in rows.items()}
    valued = [(p, rows[p.id], facts[p.id]) for p in patents if p.id in rows and facts[p.id] is not None]
    if not valued:
        return None
    shown = [_in_currency(row, fact) for _p, row, fact in valued]
    total_mid = sum((mid for _low, mid, _high in shown), Decimal(0))
    parts = _apportioned(
        [
            _part(patent, row, figures, listing.ask_amount, total_mid)
            for (patent, row, _fact), figures in zip(valued, shown, strict=True)
        ],
        listing.ask_amount,
    )
    low = sum((p.low for p in parts), Decimal(0))
    high = sum((p.high for p in parts), Decimal(0))
    missing = [publication_display(p) for p in patents if p.id not in rows or facts[p.id] is None]
    dist = Combined.comonotonic(
        [Combined.of(row.mid, row.result.get("components") or []) for _p, row, _f in valued]
    )
    fact = valued[0][2]
    ask_cny = fx.to_cny(listing.ask_amount, fact)
    return ListingValue(
        low,
        total_mid,
        high,
        listing.currency,
        placement(listing.ask_amount, low, high),
        parts,
        missing,
        mean=fx.from_cny(Decimal(f"{dist.mean():.2f}"), fact),
        prob_below_ask=None if ask_cny is None else Decimal(f"{dist.prob_below(float(ask_cny)):.4f}"),
        rates=[] if listing.currency == fx.BASE else [fact],
    )


def _rate(row: StoredValuation, currency: str) -> dict | None:
    """The rate that shows this CNY valuation in the listing's currency: the one the valuation used
    when it is that currency's, else the rate on or before the valuation date; None when missing."""
    if row.currency != fx.BASE:
        return None
    if currency == fx.BASE:
        return {"currency": fx.BASE, "rate": "1"}
    used = (row.input_snapshot.get("facts") or {}).get("fx") or {}
    if used.get("currency") == currency and fx.has_rate(used):
        return used
    fact = fx.RateBook().fact(currency, row.created_at.date())
    return fact if fx.has_rate(fact) else None


def _in_currency(row: StoredValuation, fact: dict) -> tuple[Decimal, Decimal, Decimal]:
    low, mid, high = (fx.from_cny(v, fact) for v in (row.low, row.mid, row.high))
    return low, mid, high


def _apportioned(parts: list[PatentValue], ask: Decimal | None) -> list[PatentValue]:
    """The shares are rounded to cents; the last one takes the remainder so they add up to the ask."""
    if ask is None or not parts or parts[-1].apportioned_ask is None:
        return parts
    rest = ask - sum((p.apportioned_ask for p in parts[:-1]), Decimal(0))
    return [*parts[:-1], replace(parts[-1], apportioned_ask=rest)]


def _part(
    patent,
    row: StoredValuation,
    figures: tuple[Decimal, Decimal, Decimal],
    ask: Decimal | None,
    total_mid: Decimal,
) -> PatentValue:
    low, mid, high = figures
    share = None
    if ask is not None and total_mid > 0:
        share = (ask * mid / total_mid).quantize(CENT, rounding=ROUND_HALF_UP)
    return PatentValue(
        patent_id=patent.id,
        label=publication_display(patent),
        low=low,
        mid=mid,
        high=high,
        model_version=f"{row.model_id} {row.model_version}",
        parameter_set_version=row.parameter_set_version,
        valued_at=row.created_at,
        apportioned_ask=share,
    )

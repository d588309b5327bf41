"""The valuation range shown beside the ask, read from the stored valuations (never written here).

For a bundle the patents' ranges are added (a sum of percentiles: a wider band than the true
P10-P90 of the sum, which errs towards "within range"), and the ask is apportioned over the
patents in proportion to their midpoints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.extensions import db
from app.market.listing_models import Listing
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
    valued = [(p, rows[p.id]) for p in patents if p.id in rows and rows[p.id].currency == listing.currency]
    if not valued:
        return None
    total_mid = sum((row.mid for _p, row in valued), Decimal(0))
    parts = [_part(patent, row, listing.ask_amount, total_mid) for patent, row in valued]
    low = sum((p.low for p in parts), Decimal(0))
    high = sum((p.high for p in parts), Decimal(0))
    missing = [p.publication_number for p in patents if p.id not in rows]
    return ListingValue(
        low, total_mid, high, listing.currency, placement(listing.ask_amount, low, high), parts, missing
    )


def _part(patent, row: StoredValuation, ask: Decimal | None, total_mid: Decimal) -> PatentValue:
    share = None
    if ask is not None and total_mid > 0:
        share = (ask * row.mid / total_mid).quantize(CENT, rounding=ROUND_HALF_UP)
    return PatentValue(
        patent_id=patent.id,
        label=f"{patent.jurisdiction} {patent.publication_number.removeprefix(patent.jurisdiction)}",
        low=row.low,
        mid=row.mid,
        high=row.high,
        model_version=f"{row.model_id} {row.model_version}",
        parameter_set_version=row.parameter_set_version,
        valued_at=row.created_at,
        apportioned_ask=share,
    )

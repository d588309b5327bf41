"""The report's currency block and the ensemble's statistics beside the conclusion.

The range is stored in CNY; a patent of another office is also shown in its own currency with the
rate its valuation used (from the facts stored with it). The conclusion is the P50 of the combined
distribution; its mean and P(value < ask) for the patent's published asks come from the same
distribution (``engine.Combined``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.valuation import fx
from app.valuation.engine import Combined
from app.valuation.models import StoredValuation


def currency_name(code: str) -> str:
    """The currency's name in the page's language (美元 / US dollars), not its code."""
    from babel.numbers import get_currency_name
    from flask_babel import get_locale

    locale = str(get_locale() or "zh")
    return get_currency_name(code, count=1, locale=locale)


def iso_day(text: str | None) -> str:
    """A stored ISO date as the page shows dates (2025年1月1日 / 1 Jan 2025)."""
    from app.core.i18n import format_day

    return format_day(dt.date.fromisoformat(text)) if text else ""


@dataclass
class CurrencyView:
    """The range in the patent's own currency, or why it cannot be shown."""

    currency: str
    rate: str | None = None
    effective_on: str | None = None
    source: str = ""
    demo: bool = False
    figures: dict[str, Decimal | None] = field(default_factory=dict)  # low, mid, high, mean
    missing_message: str = ""

    @property
    def name(self) -> str:
        return currency_name(self.currency)


@dataclass
class AskStat:
    """One published ask of this patent and the probability that the value lies below it."""

    amount: Decimal
    currency: str
    prob_below: Decimal


def currency_view(head: StoredValuation) -> CurrencyView | None:
    """None for a CNY patent; else the converted range, or a message naming the missing rate."""
    fact = (head.input_snapshot.get("facts") or {}).get("fx") or {}
    currency = fact.get("currency")
    if not currency or currency == fx.BASE:
        return None
    if not fx.has_rate(fact):
        return CurrencyView(
            currency,
            missing_message=_(
                "No %(currency)s exchange rate is effective on or before %(day)s, so the range is shown in "
                "yuan only. An administrator adds the rate on the Exchange rates page; the valuation then "
                "shows both currencies.",
                currency=currency_name(currency),
                day=iso_day(fact.get("on")),
            ),
        )
    mean = head.result.get("mean")
    figures = {
        "low": fx.from_cny(head.low, fact),
        "mid": fx.from_cny(head.mid, fact),
        "high": fx.from_cny(head.high, fact),
        "mean": fx.from_cny(Decimal(mean), fact) if mean is not None else None,
    }
    return CurrencyView(
        currency,
        fact["rate"],
        fact.get("effective_on"),
        fact.get("source", ""),
        bool(fact.get("demo")),
        figures,
    )


def distribution(head: StoredValuation) -> Combined:
    return Combined.of(head.mid, head.result.get("components") or [])


def ask_stats(head: StoredValuation) -> list[AskStat]:
    """P(value < ask) for each published single-patent listing of this patent with an ask."""
    from app.market import listing_states
    from app.market.listing_models import Listing, ListingPatent

    if head.mid is None:
        return []
    listings = db.session.scalars(
        select(Listing)
        .join(ListingPatent, ListingPatent.listing_id == Listing.id)
        .where(
            ListingPatent.patent_id == head.patent_id,
            Listing.status == listing_states.PUBLISHED,
            Listing.ask_amount.is_not(None),
        )
        .order_by(Listing.id)
    ).all()
    dist = distribution(head)
    book = fx.RateBook()
    out = []
    for listing in listings:
        if listing.is_bundle:
            continue
        fact = book.fact(listing.currency, head.created_at.date())
        ask_cny = fx.to_cny(listing.ask_amount, fact)
        if ask_cny is not None:
            prob = Decimal(f"{dist.prob_below(float(ask_cny)):.4f}")
            out.append(AskStat(listing.ask_amount, listing.currency, prob))
    return out


def stored_mean(head: StoredValuation) -> Decimal | None:
    """The mean kept with the range (older rows: recomputed from their components)."""
    if head.mid is None:
        return None
    mean: Any = head.result.get("mean")
    return Decimal(mean) if mean is not None else Decimal(f"{distribution(head).mean():.2f}")

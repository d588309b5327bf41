"""The seller's funnel per listing: views, NDAs, downloads and offers per day, as an inline SVG.

Series are told apart by line style and a marker shape as well as colour, and labelled in the
page's language, so the chart reads without colour.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from app.core.clock import clock
from app.extensions import db
from app.market.listing_models import DataRoomAccess, Listing, ListingView, NdaAcceptance

DAYS = 30
SERIES = {
    "views": (_l("Views"), "#1f5fa8", ""),
    "ndas": (_l("NDAs accepted"), "#a0522d", "6 3"),
    "downloads": (_l("Data-room downloads"), "#2e7d32", "2 3"),
    "offers": (_l("Offers"), "#6a1b9a", "10 4 2 4"),
}


@dataclass(frozen=True)
class Funnel:
    days: list[dt.date]
    counts: dict[str, list[int]]


def _per_day(timestamps, days: list[dt.date]) -> list[int]:
    counter = Counter(ts.date() if isinstance(ts, dt.datetime) else ts for ts in timestamps)
    return [counter.get(day, 0) for day in days]


def _offer_times(listing: Listing) -> list[dt.datetime]:
    try:
        from app.market.offer_models import Offer
    except ImportError:  # offers come with the negotiation module
        return []
    return list(db.session.scalars(select(Offer.created_at).where(Offer.listing_id == listing.id)))


def funnel_series(listing: Listing, days: int = DAYS) -> Funnel:
    today = clock.now().date()
    span = [today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    views = dict(
        db.session.execute(
            select(ListingView.day, ListingView.count).where(ListingView.listing_id == listing.id)
        ).all()
    )
    ndas = db.session.scalars(select(NdaAcceptance.accepted_at).where(NdaAcceptance.listing_id == listing.id))
    downloads = db.session.scalars(
        select(DataRoomAccess.created_at).where(DataRoomAccess.listing_id == listing.id)
    )
    return Funnel(
        days=span,
        counts={
            "views": [views.get(day, 0) for day in span],
            "ndas": _per_day(ndas, span),
            "downloads": _per_day(downloads, span),
            "offers": _per_day(_offer_times(listing), span),
        },
    )


def funnel_chart(funnel: Funnel, width: int = 640, height: int = 220) -> Markup:
    """An SVG line chart of the funnel, with axes, a legend and a text alternative."""
    left, right, top, bottom = 36, 10, 12, 28
    peak = max([1, *(max(values) for values in funnel.counts.values())])
    step = (width - left - right) / max(1, len(funnel.days) - 1)

    def point(index: int, value: int) -> tuple[float, float]:
        return round(left + index * step, 1), round(top + (height - top - bottom) * (1 - value / peak), 1)

    lines = []
    for name, values in funnel.counts.items():
        label, colour, dash = SERIES[name]
        points = [point(i, v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "label": str(label),
                "colour": colour,
                "dash": dash,
                "points": points,
                "total": sum(values),
            }
        )
    ticks = [0, peak // 2, peak] if peak > 1 else [0, 1]
    return Markup(  # noqa: S704  (a template of our own, values escaped by Jinja)
        render_template(
            "market/listing_chart.html",
            lines=lines,
            width=width,
            height=height,
            left=left,
            top=top,
            bottom=bottom,
            ticks=[(t, point(0, t)[1]) for t in sorted(set(ticks))],
            first=funnel.days[0],
            last=funnel.days[-1],
        )
    )


def range_bar(value, ask: Decimal | None, width: int = 300, height: int = 64) -> Markup:
    """The P10-P90 band with the midpoint and the ask marked, on one axis, labelled in text."""
    points = [value.low, value.high] + ([ask] if ask is not None else [])
    low, high = min(points), max(points)
    pad = (high - low) * Decimal("0.1") or Decimal(1)
    start, span = low - pad, (high - low) + 2 * pad

    def x(amount: Decimal) -> float:
        return round(10 + float((amount - start) / span) * (width - 20), 1)

    return Markup(  # noqa: S704  (our own template; values escaped by Jinja)
        render_template(
            "market/listing_range.html",
            width=width,
            height=height,
            low=x(value.low),
            mid=x(value.mid),
            high=x(value.high),
            ask=x(ask) if ask is not None else None,
            value=value,
            ask_amount=ask,
        )
    )

"""A licence deal with a running royalty, recorded with the office so its schedule exists."""

from __future__ import annotations

from datetime import timedelta

from app.payments import royalties
from tests.market.deal_support import build_market
from tests.payments.support import register, signed_deal

QUARTER = timedelta(days=91)  # from 2026-12-01: past the first period's end (2027-02-28)


def royalty_market(make_user, **listing_overrides):
    market = build_market(make_user, **listing_overrides)
    market.deal = signed_deal(market)
    register(market.deal, market)
    market.schedule = royalties.schedule_of(market.deal)
    return market

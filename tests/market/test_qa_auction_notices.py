"""Auction notices show money and the closing time as the reader expects (they read 'CNY 20,000.00' and
'... UTC' in every language)."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.notifications import Notification
from app.extensions import db
from app.market import auction_jobs
from app.market.listing_models import WatchItem
from tests.conftest import FROZEN_AT
from tests.market.auction_support import bid, make_auction, make_bidder, make_seller


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_ending_soon_notice_in_reader_time_zone_and_money(app, frozen_clock, make_user, locale):
    auction = make_auction(make_seller(make_user), duration=timedelta(minutes=50), hard_extra=timedelta(0))
    alice = make_bidder(make_user, auction)
    db.session.add(WatchItem(user_id=alice.id, listing_id=auction.listing_id))
    db.session.commit()
    auction_jobs.open_started_auctions()
    bid(auction, alice, "20000")
    auction_jobs.announce_ending_soon()
    note = db.session.scalars(select(Notification).where(Notification.kind == "auction_ending_soon")).one()
    ends_local = (FROZEN_AT + timedelta(minutes=50) + timedelta(hours=8)).strftime("%H:%M")  # Asia/Shanghai
    with app.test_request_context(), force_locale(locale):
        body = note.body
    assert "UTC" not in body
    assert "CNY" not in body
    assert ends_local in body
    assert ("¥10,000.00" if locale == "zh" else "CN¥10,000.00") in body


def test_an_auction_listing_is_priced_by_its_auction_not_on_request(client, make_user):
    """Auction listings have no ask; their price block and cards said "价格面议" (price on request)."""
    auction = make_auction(make_seller(make_user))
    for language, said, not_said in (
        ("zh", "由拍卖定价", "价格面议"),
        ("en", "Priced by the auction", "Price on request"),
    ):
        for path in (f"/market/listings/{auction.listing_id}", "/"):
            page = client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
            assert said in page, (language, path)
            assert not_said not in page, (language, path)

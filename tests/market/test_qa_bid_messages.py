"""A refused bid names the minimum as money in the reader's language (it read '32000.00 CNY')."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.core.money import Money
from app.extensions import db
from app.market import auction_services as services
from tests.market.auction_support import bid, make_auction, make_bidder, make_seller


@pytest.mark.parametrize(
    ("locale", "expected"), [("zh", "出价不得低于 ¥32,000.00。"), ("en", "Bid at least CN¥32,000.00.")]
)
def test_below_minimum_message_shows_money(app, frozen_clock, make_user, locale, expected):
    auction = make_auction(make_seller(make_user))
    alice, bob, carol = (make_bidder(make_user, auction) for _ in range(3))
    bid(auction, alice, "50000")
    bid(auction, bob, "30000")
    with app.test_request_context(), force_locale(locale), pytest.raises(services.BidRefused) as refused:
        services.place_bid(auction.id, carol, Money(Decimal("31000")))
    db.session.rollback()
    assert refused.value.message == expected
    assert "CNY" not in refused.value.message


@pytest.mark.parametrize("kind", ["english", "sealed"])
def test_the_bid_form_explains_the_auction_it_is_on(client, auth, make_user, kind):
    """A sealed-bid auction's form explained the English proxy maximum ("we bid for you")."""
    auction = make_auction(make_seller(make_user), kind=kind)
    auth.login(make_bidder(make_user, auction))
    page = client.get(f"/market/auctions/{auction.id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    proxy, sealed = "平台按加价幅度逐次代您出价", "截标前任何人都看不到"
    assert (proxy in page, sealed in page) == ((True, False) if kind == "english" else (False, True))

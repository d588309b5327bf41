"""/api/v1/auctions and the auction pages: status codes, bodies, visibility, bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db
from app.market.auction_models import Auction, AuctionBid
from tests.market.auction_support import accept_nda, bid, make_auction, make_bidder, make_seller


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def english(app, frozen_clock, seller):
    return make_auction(seller)


def token_for(user) -> dict:
    _, token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def post_bid(client, auction, user, amount):
    return client.post(
        f"/api/v1/auctions/{auction.id}/bids", json={"amount": amount}, headers=token_for(user)
    )


def test_bid_201_with_state(client, english, make_user):
    alice = make_bidder(make_user, english)
    response = post_bid(client, english, alice, "50000")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["bid"]["bidder"] == "you"
    assert body["bid"]["amount"] == {"amount": "50000.00", "currency": "CNY"}
    assert body["auction"]["position"] == "leading"
    assert body["auction"]["current_price"] == {"amount": "10000.00", "currency": "CNY"}
    assert body["auction"]["next_minimum"]["amount"] == "51000.00"  # the leader must go past the maximum


@pytest.mark.parametrize(
    ("amount", "field_message"),
    [
        ("abc", True),
        ("-5", True),
        ("1e99", True),
        ("99999999999999999999", True),
        ("0", True),
        ("12.345", True),
    ],
)
def test_bad_amounts_are_422_and_write_nothing(client, english, make_user, amount, field_message):
    alice = make_bidder(make_user, english)
    response = post_bid(client, english, alice, amount)
    assert response.status_code == 422, response.json
    assert "amount" in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count(AuctionBid.id))) == 0


def test_numeric_json_amount_is_refused(client, english, make_user):
    alice = make_bidder(make_user, english)
    response = client.post(
        f"/api/v1/auctions/{english.id}/bids", json={"amount": 50000.5}, headers=token_for(alice)
    )
    assert response.status_code == 422


def test_too_low_is_422_with_next_minimum(client, english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    bid(english, alice, "50000")
    response = post_bid(client, english, bob, "10500")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["reason"] == "below_minimum"
    assert error["next_minimum"] == {"amount": "11000.00", "currency": "CNY"}
    response = post_bid(client, english, bob, "11500")
    assert response.json["error"]["reason"] == "not_multiple"


def test_seller_is_403_with_reason(client, english, seller):
    response = post_bid(client, english, seller, "50000")
    assert response.status_code == 403
    assert response.json["error"]["reason"] == "seller"
    assert response.json["error"]["remedy"]


def test_unverified_and_no_nda_are_403(client, english, make_user):
    unverified = make_user(roles=(Role.BUYER,), verified=False)
    accept_nda(english.listing, unverified)
    assert post_bid(client, english, unverified, "50000").json["error"]["reason"] == "unverified"
    stranger = make_user(roles=(Role.BUYER,), verified=True, organisation="Elsewhere")
    assert post_bid(client, english, stranger, "50000").json["error"]["reason"] == "nda"


def test_anonymous_bid_is_401(client, english):
    assert client.post(f"/api/v1/auctions/{english.id}/bids", json={"amount": "50000"}).status_code == 401


def test_after_the_end_409_and_closed_lazily(client, app, frozen_clock, seller, make_user):
    auction = make_auction(seller, reserve="900000")
    alice = make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    frozen_clock.advance(auction.ends_at - frozen_clock.now())
    response = post_bid(client, auction, make_bidder(make_user, auction), "60000")
    assert response.status_code == 409
    assert response.json["error"]["status"] == "reserve_not_met"  # the bid closed it on the way
    assert db.session.get(Auction, auction.id).status == "reserve_not_met"


def test_get_auction_and_filters(client, english, make_user, frozen_clock):
    alice = make_bidder(make_user, english)
    bid(english, alice, "50000")
    body = client.get(f"/api/v1/auctions/{english.id}").json
    assert body["kind"] == "english"
    assert body["bid_count"] == 1
    assert body["reserve_met"] is None  # no reserve
    assert body["position"] is None
    assert body["can_bid"] is False
    listed = client.get("/api/v1/auctions", query_string={"status": "open"}).json
    assert [item["id"] for item in listed["items"]] == [english.id]
    soon = (frozen_clock.now() + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/auctions", query_string={"ending_before": soon}).json["items"] == []
    assert client.get("/api/v1/auctions", query_string={"status": "nonsense"}).status_code == 422


def test_sealed_bids_hidden_from_others_in_the_api(client, app, frozen_clock, seller, make_user):
    auction = make_auction(seller, kind="sealed")
    alice, bob = make_bidder(make_user, auction), make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    as_bob = client.get(f"/api/v1/auctions/{auction.id}/bids", headers=token_for(bob)).json
    assert as_bob == []
    summary = client.get(f"/api/v1/auctions/{auction.id}", headers=token_for(bob)).json
    assert (summary["bid_count"], summary["current_price"], summary["position"]) == (None, None, None)
    as_seller = client.get(f"/api/v1/auctions/{auction.id}/bids", headers=token_for(seller)).json
    assert as_seller == []
    mine = client.get(f"/api/v1/auctions/{auction.id}/bids", headers=token_for(alice)).json
    assert [row["amount"]["amount"] for row in mine] == ["50000.00"]


def test_draft_listing_auction_is_404_for_others(client, app, frozen_clock, seller, make_user):
    auction = make_auction(seller, listing_status="draft")
    assert client.get(f"/api/v1/auctions/{auction.id}").status_code == 404
    assert client.get(f"/api/v1/auctions/{auction.id}", headers=token_for(seller)).status_code == 200


def test_auction_page_and_bid_form(client, auth, english, make_user, seller):
    alice = make_bidder(make_user, english, password="correct-horse-42")
    auth.login(alice)
    page = client.get(f"/market/auctions/{english.id}")
    assert page.status_code == 200
    assert "data-countdown" in page.text
    response = client.post(f"/market/auctions/{english.id}/bids", data={"amount": "5万"})
    assert response.status_code == 302
    assert db.session.get(Auction, english.id).bid_count == 1
    refused = client.post(f"/market/auctions/{english.id}/bids", data={"amount": "nonsense"})
    assert refused.status_code == 422
    too_low = client.post(f"/market/auctions/{english.id}/bids", data={"amount": "10000"})
    assert too_low.status_code == 422
    assert Decimal(db.session.get(Auction, english.id).current_price) == Decimal(10000)

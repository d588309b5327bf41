"""The deposit API: the seller sets it with the auction, a bidder reads and starts theirs, then bids."""

from datetime import timedelta

from app.extensions import db
from app.market.auction_models import Auction
from app.payments import deposits
from app.payments.deposit_models import AuctionDeposit
from tests.market.auction_support import make_listing
from tests.market.test_auction_api import token_for
from tests.payments.deposit_support import deposit_auction


def test_the_seller_sets_a_deposit_through_the_auction_api_and_bad_ones_are_422(
    client, make_user, frozen_clock
):
    case = deposit_auction(make_user)
    listing = make_listing(case.seller)
    db.session.commit()
    now = frozen_clock.now()
    body = {
        "start_price": "50000",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    url = f"/api/v1/listings/{listing.id}/auction"
    too_big = client.put(url, json={**body, "deposit": "60000"}, headers=token_for(case.seller))
    assert too_big.status_code == 422
    assert too_big.json["error"]["fields"] == {"deposit": "The deposit must be below the start price."}
    days = client.put(
        url, json={**body, "deposit": "5000", "payment_days": 0}, headers=token_for(case.seller)
    )
    assert days.status_code == 422
    made = client.put(
        url, json={**body, "deposit": "5000", "payment_days": 14}, headers=token_for(case.seller)
    )
    assert made.status_code == 200, made.json
    db.session.expire_all()
    terms = deposits.terms_for(db.session.get(Auction, made.json["id"]))
    assert (str(terms.amount), terms.payment_days) == ("5000.00", 14)


def test_a_bidder_reads_the_requirement_starts_a_deposit_and_bids_once_it_is_held(
    client, make_user, frozen_clock
):
    case = deposit_auction(make_user)
    auction_id = case.auction.id
    headers = token_for(case.winner)
    summary = client.get(f"/api/v1/auctions/{auction_id}", headers=headers).json
    assert summary["can_bid"] is False
    assert summary["refusal_link"] == f"/payments/auctions/{auction_id}/deposit"
    refused = client.post(f"/api/v1/auctions/{auction_id}/bids", json={"amount": "10000"}, headers=headers)
    assert (refused.status_code, refused.json["error"]["reason"]) == (403, "deposit")
    view = client.get(f"/api/v1/auctions/{auction_id}/deposit", headers=headers).json
    assert view == {"required": {"amount": "2000.00", "currency": "CNY"}, "payment_days": 5, "deposit": None,
                    "client": None}  # fmt: skip
    started = client.post(f"/api/v1/auctions/{auction_id}/deposit", json={}, headers=headers)
    assert started.status_code == 201
    assert started.json["deposit"]["status"] == "requires_payment"
    assert started.json["client"]["reference"] == started.json["deposit"]["reference"]
    deposit = db.session.get(AuctionDeposit, started.json["deposit"]["id"])
    deposits.record_receipt(deposit, case.admin, "BOC-DEP-1", "2000")
    db.session.commit()
    placed = client.post(f"/api/v1/auctions/{auction_id}/bids", json={"amount": "10000"}, headers=headers)
    assert placed.status_code == 201
    again = client.post(f"/api/v1/auctions/{auction_id}/deposit", json={}, headers=headers)
    assert again.status_code == 409

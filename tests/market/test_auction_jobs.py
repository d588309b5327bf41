"""The periodic auction tasks and the lazy close: open, ending soon (once), close (once)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.core.notifications import Notification
from app.core.ticks import run_tick
from app.extensions import db
from app.market import auction_jobs
from app.market.auction_models import Auction
from app.market.listing_models import WatchItem
from tests.market.auction_support import bid, make_auction, make_bidder, make_seller


def test_tick_opens_closes_and_announces_once(app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller, reserve="900000", duration=timedelta(minutes=50), hard_extra=timedelta(0))
    alice = make_bidder(make_user, auction)
    watcher = make_bidder(make_user, auction)
    db.session.add(WatchItem(user_id=watcher.id, listing_id=auction.listing_id))
    db.session.commit()
    assert auction_jobs.open_started_auctions() == 1
    db.session.expire_all()
    assert db.session.get(Auction, auction.id).status == "open"
    bid(auction, alice, "20000")
    assert auction_jobs.announce_ending_soon() == 1
    assert auction_jobs.announce_ending_soon() == 0  # once per auction
    notes = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "auction_ending_soon")
    ).all()
    assert sorted(notes) == sorted([alice.id, watcher.id])
    frozen_clock.advance(timedelta(hours=1))
    outcome = run_tick()
    assert outcome["auctions.close"] == "ran"
    db.session.expire_all()
    assert db.session.get(Auction, auction.id).status == "reserve_not_met"
    assert auction_jobs.close_due_auctions() == 0


def test_viewing_an_ended_auction_closes_it_in_the_background(client, app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller, duration=timedelta(hours=1), hard_extra=timedelta(0))
    frozen_clock.advance(timedelta(hours=2))
    before = db.session.scalar(select(func.count(Notification.id)))
    page = client.get(f"/market/auctions/{auction.id}")
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(Auction, auction.id).status == "no_bids"  # the test runner runs jobs inline
    assert db.session.scalar(select(func.count(Notification.id))) == before + 1  # the seller's notice


def test_listing_page_shows_the_auction_panel(client, auth, app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller)
    alice = make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    auth.login(alice)
    page = client.get(f"/market/listings/{auction.listing_id}").get_data(as_text=True)
    assert "auction-panel" in page
    assert "data-countdown" in page
    assert "auction-leading" in page
    assert "js/auction.js" in page


def test_sealed_bids_stay_off_other_bidders_pages(client, auth, app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller, kind="sealed")
    alice, bob = make_bidder(make_user, auction), make_bidder(make_user, auction)
    bid(auction, alice, "87000")
    auth.login(bob)
    for url in (
        f"/market/auctions/{auction.id}",
        f"/market/listings/{auction.listing_id}",
        "/market/auctions",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "87,000" not in page
        assert "8.7万" not in page
        assert "auction-history" not in page  # no rows: Bob has not bid
    auth.logout()
    auth.login(alice)
    assert "8.7万" in client.get(f"/market/auctions/{auction.id}").get_data(as_text=True)


def test_seller_finds_the_auction_settings_from_the_auctions_page(client, auth, app, frozen_clock, make_user):
    from tests.market.auction_support import make_listing

    seller = make_seller(make_user)
    bare = make_listing(seller, "english", "draft")
    set_up = make_auction(seller)
    db.session.commit()
    auth.login(seller)
    page = client.get("/market/auctions").get_data(as_text=True)
    assert f"/market/listings/{bare.id}/auction" in page
    assert f"/market/listings/{set_up.listing_id}/auction" in page
    assert client.get(f"/market/listings/{bare.id}/auction").status_code == 200

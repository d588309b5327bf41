"""An administrator cancels a scheduled or open auction with a reason; the seller's tools link to
the listing's auction (or to setting one up)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.catalogue.validation import ValidationFailed
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.lifecycle import InvalidTransition, StatusEvent
from app.core.money import Money
from app.core.notifications import Notification
from app.extensions import db
from app.market import auction_services as services
from app.market import auction_states as states
from app.market.auction_models import Auction
from app.market.listing_models import WatchItem
from tests.market.auction_support import bid, make_auction, make_bidder, make_listing, make_seller


@pytest.fixture
def seller(make_user):
    return make_seller(make_user, password="correct-horse-42")


@pytest.fixture
def admin(make_user):
    return make_user(roles=(Role.ADMIN,), organisation="Platform", password="correct-horse-42")


@pytest.fixture
def english(app, frozen_clock, seller):
    return make_auction(seller)


def test_an_administrator_cancels_an_open_auction(english, admin, seller, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    watcher = make_user(roles=(Role.BUYER,), organisation="Watcher Org")
    db.session.add(WatchItem(user_id=watcher.id, listing_id=english.listing_id))
    bid(english, alice, "50000")
    bid(english, bob, "80000")
    services.cancel_auction(english.id, admin, "  The patent was found to be invalid.  ")
    db.session.commit()
    auction = db.session.get(Auction, english.id)
    assert auction.status == states.CANCELLED
    assert auction.closed_at is not None
    event = db.session.scalar(
        select(StatusEvent).where(StatusEvent.subject_type == "auctions", StatusEvent.action == "cancel")
    )
    assert (event.from_status, event.to_status, event.actor_id) == ("open", "cancelled", admin.id)
    assert event.reason == "The patent was found to be invalid."
    assert db.session.scalar(select(AuditLogEntry.kind).order_by(AuditLogEntry.id.desc()).limit(1)) == (
        "auction.cancel"
    )
    assert verify_chain() is None
    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "auction_cancelled"))
    )
    assert told == {alice.id, bob.id, watcher.id, seller.id}
    # Nothing more happens to it: no bid, no close.
    with pytest.raises(services.AuctionNotOpen):
        services.place_bid(english.id, alice, Money(Decimal(200000)))
    db.session.rollback()
    assert services.close_auction(english.id, admin) is None


def test_a_scheduled_auction_can_be_cancelled_too(app, frozen_clock, seller, admin):
    auction = make_auction(seller)
    auction.starts_at = frozen_clock.now() + timedelta(hours=1)
    db.session.commit()
    services.cancel_auction(auction.id, admin, "Listed by mistake")
    db.session.commit()
    assert db.session.get(Auction, auction.id).status == states.CANCELLED


def test_only_an_administrator_with_a_reason_before_the_end(english, admin, seller, frozen_clock):
    with pytest.raises(PermissionDenied):
        services.cancel_auction(english.id, seller, "I changed my mind")
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_auction(english.id, admin, "   ")
    assert set(refused.value.fields) == {"reason"}
    db.session.rollback()
    frozen_clock.advance(timedelta(days=4))  # ended, not yet closed: the close decides it
    with pytest.raises(Conflict):
        services.cancel_auction(english.id, admin, "too late")
    db.session.rollback()
    services.close_auction(english.id, admin)
    db.session.commit()
    with pytest.raises(InvalidTransition):  # closed: 409 naming the status
        services.cancel_auction(english.id, admin, "too late")
    db.session.rollback()
    assert db.session.get(Auction, english.id).status == states.NO_BIDS


def test_the_cancel_form_on_the_auction_page(client, auth, english, admin, make_user):
    auth.login(admin, "correct-horse-42")
    page = client.get(f"/market/auctions/{english.id}", headers={"Accept-Language": "en"})
    assert "auction-cancel" in page.text
    url = f"/market/auctions/{english.id}/cancel"
    empty = client.post(url, data={"reason": ""}, headers={"Accept-Language": "en"})
    assert empty.status_code == 422
    assert 'class="error"' in empty.text
    assert db.session.get(Auction, english.id).status in states.LIVE_STATUSES
    done = client.post(url, data={"reason": "Rights dispute"}, follow_redirects=True)
    assert done.status_code == 200
    assert "Rights dispute" in done.text
    assert "auction-cancelled" in done.text
    assert db.session.get(Auction, english.id).status == states.CANCELLED
    again = client.post(url, data={"reason": "twice"})
    assert again.status_code == 409


def test_bidders_see_no_cancel_form_and_may_not_post_it(client, auth, english, make_user):
    alice = make_bidder(make_user, english, password="correct-horse-42")
    auth.login(alice, "correct-horse-42")
    assert "auction-cancel" not in client.get(f"/market/auctions/{english.id}").text
    assert client.post(f"/market/auctions/{english.id}/cancel", data={"reason": "x"}).status_code == 403
    assert db.session.get(Auction, english.id).status in states.LIVE_STATUSES


def test_the_seller_tools_link_to_the_auction(client, auth, app, frozen_clock, seller):
    auth.login(seller, "correct-horse-42")
    without = make_listing(seller, "english")
    db.session.commit()
    page = client.get(f"/market/listings/{without.id}", headers={"Accept-Language": "en"})
    assert f'href="/market/listings/{without.id}/auction"' in page.text
    assert "Set up the auction" in page.text
    auction = make_auction(seller)
    page = client.get(f"/market/listings/{auction.listing_id}", headers={"Accept-Language": "en"})
    assert (
        f'class="button button-secondary mk-auction-link" href="/market/auctions/{auction.id}"' in page.text
    )
    assert "Set up the auction" not in page.text
    fixed = make_listing(seller, "english")
    fixed.price_mechanism = "negotiable"
    db.session.commit()
    page = client.get(f"/market/listings/{fixed.id}", headers={"Accept-Language": "en"})
    assert "mk-auction-link" not in page.text

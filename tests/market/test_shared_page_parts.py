"""The listing and auction pages share what every viewer sees (facts, head, price terms, public
documents, deposit, bidder aliases, extensions) and keep each viewer's own parts: seller tools,
watch and offer controls, the NDA state, a bidder's maximum or sealed bid. Checked for several
viewers in either order, so a part rendered for one viewer is never served to the next."""

import io

import pytest

from app.extensions import db
from app.market import dataroom, watchlist
from tests.conftest import view_in_order
from tests.market import auction_support
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ORDERS = ((0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2))


@pytest.fixture
def listing_world(app, client, tmp_path, make_user):  # client: isolated clients
    app.instance_path = str(tmp_path)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    dataroom.upload_document(listing, seller, io.BytesIO(PDF), "secret.pdf", "Test report", True)
    dataroom.upload_document(listing, seller, io.BytesIO(PDF), "brochure.pdf", "Brochure", False)
    buyer = make_buyer(make_user, email="plain@example.com")
    insider = make_buyer(make_user, name="Insider Co", email="insider@example.com")
    auction_support.accept_nda(listing, insider)
    watchlist.watch(insider, listing=listing)
    db.session.commit()
    viewers = {"seller": seller, "buyer": buyer, "insider": insider, "visitor": None}
    return listing, viewers


@pytest.mark.parametrize("order", ORDERS)
def test_listing_page_each_viewer_sees_their_own_parts(app, listing_world, order):
    listing, viewers = listing_world
    pages = view_in_order(app, viewers, f"/market/listings/{listing.id}", order)
    for page in pages.values():  # the shared parts
        assert "Exclusive licence: lithium cathode" in page
        assert "Brochure" in page
        assert "Test report" not in page  # a confidential title is never listed on the page
    assert "Seller tools" in pages["seller"]
    assert "Watch this listing" not in pages["seller"]
    assert "1 confidential documents are open to you." in pages["seller"]
    assert "Seller tools" not in pages["buyer"]
    assert "Watch this listing" in pages["buyer"]
    assert "open after you accept the seller’s NDA" in pages["buyer"]
    assert "Stop watching" in pages["insider"]
    assert "1 confidential documents are open to you." in pages["insider"]
    assert "Log in to buy or ask" in pages["visitor"]
    assert "Make an offer" in pages["buyer"]
    for name in ("seller", "visitor"):
        assert "Make an offer" not in pages[name]
        assert "Stop watching" not in pages[name]


def _bidders(make_user, auction):
    alice = auction_support.make_bidder(make_user, auction, email="alice@example.com")
    bob = auction_support.make_bidder(make_user, auction, email="bob@example.com")
    return alice, bob


@pytest.mark.parametrize("order", ORDERS)
def test_sealed_bids_never_leak_before_the_close(app, client, frozen_clock, make_user, order):
    seller = auction_support.make_seller(make_user)
    auction = auction_support.make_auction(seller, kind="sealed")
    alice, bob = _bidders(make_user, auction)
    auction_support.bid(auction, alice, "54000")
    viewers = {"alice": alice, "bob": bob, "seller": seller, "visitor": None}
    pages = view_in_order(app, viewers, f"/market/auctions/{auction.id}", order)
    assert "54,000" in pages["alice"]
    assert "Your sealed bid" in pages["alice"]
    for name in ("bob", "seller", "visitor"):
        assert "54,000" not in pages[name], name
        assert "Your sealed bid" not in pages[name]
        assert "Sealed until the close" in pages[name]
    assert "Submit sealed bid" in pages["bob"]


@pytest.mark.parametrize("order", ORDERS)
def test_english_auction_bidder_and_non_bidder_pages(app, client, frozen_clock, make_user, order):
    seller = auction_support.make_seller(make_user)
    auction = auction_support.make_auction(seller)
    alice, bob = _bidders(make_user, auction)
    carol = auction_support.make_bidder(make_user, auction, email="carol@example.com")
    auction_support.bid(auction, alice, "87000")
    auction_support.bid(auction, bob, "20000")
    viewers = {"alice": alice, "bob": bob, "carol": carol, "visitor": None}
    pages = view_in_order(app, viewers, f"/market/auctions/{auction.id}", order)
    assert "87,000" in pages["alice"]  # her maximum: hers alone
    assert "You are the leading bidder." in pages["alice"]
    assert "You have been outbid." in pages["bob"]
    for name in ("bob", "carol", "visitor"):
        assert "87,000" not in pages[name], name
        assert "You are the leading bidder." not in pages[name]
    for name in ("carol", "visitor"):
        assert "You have been outbid." not in pages[name]
        assert "Your maximum" not in pages[name]
    assert "Place bid" in pages["carol"]
    assert "Place bid" not in pages["visitor"]
    for page in pages.values():
        assert "Bidder A" in page or "you" in page  # the aliases, shared per data version


def _offer_form_token(page: str) -> str | None:
    """The CSRF token inside the listing page's new-offer form, if the page has that form."""
    import re

    form = re.search(r'class="deal-offer-form">(.*?)</form>', page, re.S)
    return re.search(r'name="csrf_token" value="([^"]+)"', form[1])[1] if form else None


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (2, 0, 4, 1, 3)])
def test_offer_form_is_shared_with_each_buyers_own_token(app, listing_world, make_user, order):
    """The new-offer form is rendered once for every buyer who may offer; each page carries its own
    session's token in it, and a buyer with an open proposal, the seller and a visitor get no form."""
    from app.market import offer_services

    listing, viewers = listing_world
    proposer = make_buyer(make_user, name="Proposer Co", email="proposer@example.com")
    offer_services.make_offer(listing=listing, buyer=proposer, price="400000", actor=proposer)
    db.session.commit()
    viewers = {**viewers, "proposer": proposer}
    pages = view_in_order(app, viewers, f"/market/listings/{listing.id}", order)
    tokens = {name: _offer_form_token(page) for name, page in pages.items()}
    for name in ("buyer", "insider"):  # their own session's token, the one in their top bar
        assert tokens[name] is not None, name
        assert tokens[name] in pages[name].split('<header class="topbar">')[1].split("</header>")[0]
    assert tokens["buyer"].split(".")[0] != tokens["insider"].split(".")[0]
    for name in ("seller", "visitor", "proposer"):
        assert tokens[name] is None, name
    assert "Your offer is waiting for the seller" in pages["proposer"]
    assert "Your offer is waiting for the seller" not in pages["buyer"]
